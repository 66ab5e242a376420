// Interface listing with pcap_findalldevs: findAllDevs (see interfaces.cc).
#pragma once

#include <node_api.h>

namespace rampart {

void RegisterInterfaces(napi_env env, napi_value exports);

}  // namespace rampart
