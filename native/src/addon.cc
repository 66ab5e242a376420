// Rampart's native addon: live capture (libpcap), inline mode (NFQUEUE) and interface listing.
// Loaded, if built, by src/capture/live.ts; everything else in Rampart works without it.
#include <node_api.h>

#include "interfaces.h"
#include "nfqueue.h"
#include "pcap-capture.h"

namespace {

napi_value Init(napi_env env, napi_value exports) {
  rampart::RegisterPcap(env, exports);
  rampart::RegisterNfQueue(env, exports);
  rampart::RegisterInterfaces(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
