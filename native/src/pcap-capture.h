// Live capture with libpcap: pcapOpen / pcapStart / pcapStats / pcapClose (see pcap-capture.cc).
#pragma once

#include <node_api.h>

namespace rampart {

void RegisterPcap(napi_env env, napi_value exports);

}  // namespace rampart
