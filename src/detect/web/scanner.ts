/**
 * Web scanners and attack tools that name themselves in their User-Agent, as Suricata's ET Open
 * SCAN rules know them (sqlmap 2008538, Nmap's scripts 2009358/2009359, Nikto 2002677, masscan
 * 2017616 …). A User-Agent is a claim any client can make or drop (sqlmap's `--random-agent`), so
 * this is reconnaissance to log, not evidence to block on: the requests' payloads are checked
 * for that, whatever the tool says it is.
 */

/** How a token is looked for in the lower-cased User-Agent. */
const START = 0;
const ANYWHERE = 1;

/** Lower-case token, where it must be, and the tool's name as alerts give it. */
const TOOLS: readonly (readonly [token: string, where: number, tool: string])[] = [
  ['sqlmap/', START, 'sqlmap'],
  ['nmap scripting engine', ANYWHERE, 'Nmap Scripting Engine'],
  ['nmap nse', ANYWHERE, 'Nmap Scripting Engine'],
  ['(nikto/', ANYWHERE, 'Nikto'],
  ['masscan/', START, 'masscan'],
  ['zgrab/', ANYWHERE, 'ZGrab'],
  ['wpscan v', START, 'WPScan'],
  ['commix/', START, 'commix'],
  ['havij', ANYWHERE, 'Havij'],
  ['sqlninja', ANYWHERE, 'sqlninja'],
  ['arachni/', ANYWHERE, 'Arachni'],
  ['w3af.org', ANYWHERE, 'w3af'],
  ['w3af.sf.net', ANYWHERE, 'w3af'],
  ['w3af.sourceforge.net', ANYWHERE, 'w3af'],
  ['openvas', ANYWHERE, 'OpenVAS'],
  ['nessus', ANYWHERE, 'Nessus'],
  ['netsparker', ANYWHERE, 'Netsparker'],
  ['acunetix', ANYWHERE, 'Acunetix'],
  ['dirbuster', ANYWHERE, 'DirBuster'],
  ['gobuster/', START, 'gobuster'],
  ['feroxbuster/', START, 'feroxbuster'],
  ['wfuzz/', START, 'wfuzz'],
  ['fuzz faster u fool', ANYWHERE, 'ffuf'],
  ['whatweb/', ANYWHERE, 'WhatWeb'],
  ['nuclei - open-source project', ANYWHERE, 'Nuclei'],
  ['zmeu', ANYWHERE, 'ZmEu'],
  ['morfeus fucking scanner', ANYWHERE, 'Morfeus'],
  ['(hydra)', ANYWHERE, 'Hydra'],
];

/** The tools' names, each once: a tool's number is its place here. */
export const SCANNER_TOOLS: readonly string[] = [...new Set(TOOLS.map((t) => t[2]))];

/** The number of the tool a User-Agent names (see SCANNER_TOOLS), or -1 when it names none of those above. */
export function scannerToolId(userAgent: string): number {
  const ua = userAgent.toLowerCase();
  for (const [token, where, tool] of TOOLS) {
    if (where === START ? ua.startsWith(token) : ua.includes(token)) return SCANNER_TOOLS.indexOf(tool);
  }
  return -1;
}

/** The tool a User-Agent names, or null when it names none of those above. */
export function scannerTool(userAgent: string): string | null {
  const id = scannerToolId(userAgent);
  return id >= 0 ? SCANNER_TOOLS[id] : null;
}
