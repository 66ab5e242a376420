// Inline mode through NFQUEUE: nfqOpen / nfqStart / nfqVerdict / nfqStats / nfqClose (see nfqueue.cc).
#pragma once

#include <node_api.h>

namespace rampart {

void RegisterNfQueue(napi_env env, napi_value exports);

}  // namespace rampart
