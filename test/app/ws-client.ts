/**
 * The WebSocket frame kit of src/tools/craft under the short names the tests use.
 */
export { WS_BINARY as OP_BINARY, WS_CLOSE as OP_CLOSE, WS_CONTINUATION as OP_CONT, WS_PING as OP_PING, WS_TEXT as OP_TEXT, wsDeflate as deflated, wsFrame as frame } from '../../src/tools/craft/websocket.js';
