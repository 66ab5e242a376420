import type { SectionSpec } from '../config/params.js';

/** Parameters of `rampart live` (command-line flags override them). */
export const liveParams: SectionSpec = {
  path: 'live',
  help: 'Live capture and enforcement (rampart live).',
  params: [
    { name: 'enforce', type: 'string', default: 'auto', choices: ['auto', 'nftables', 'nfqueue', 'none'], help: 'Enforcement backend; auto is nftables when root, none (dry run) otherwise.' },
    { name: 'nft_table', type: 'string', default: 'rampart', help: 'Name of Rampart\'s own nftables table (family inet).' },
    { name: 'remove_table_on_exit', type: 'bool', default: false, help: 'Remove the nftables table (and the blocks in it) on a clean exit; by default blocks outlive the process and expire in the kernel.' },
    { name: 'queue_num', type: 'int', default: 0, min: 0, max: 65535, help: 'NFQUEUE number for inline mode (iptables -j NFQUEUE --queue-num N).' },
    { name: 'fail_open', type: 'bool', default: true, help: 'Inline mode: the kernel accepts packets when the queue is full or Rampart is gone (false: it drops them).' },
    { name: 'snaplen', type: 'int', default: 262144, min: 64, max: 262144, help: 'Bytes captured per packet.' },
    { name: 'filter', type: 'string', default: '', help: 'BPF capture filter (tcpdump syntax); empty captures everything.' },
    { name: 'stats_interval', type: 'number', default: 60, min: 0, max: 86400, help: 'Seconds between stats events in the EVE output (0: only at exit).' },
    { name: 'allow_local', type: 'bool', default: true, help: "Add the machine's own addresses and default gateways to the allowlist, so an admin cannot lock themselves out." },
    { name: 'data_dir', type: 'string', default: '', help: 'Directory for the blocklist and the control socket; empty: /var/lib/rampart as root, else ~/.local/state/rampart.' },
  ],
};
