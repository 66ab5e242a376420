// Small helpers over Node's C API (node_api.h): reading arguments and throwing errors whose
// `code` is one of LiveError's codes. The addon uses the C API directly so that it needs no npm
// dependency (node-addon-api) and builds against the headers Debian's nodejs ships.
#pragma once

#include <node_api.h>

#include <cstdint>
#include <string>

namespace rampart {

// Throws `new Error(message)` with `.code = code` and returns nullptr, so a binding can
// `return Throw(env, "EIO", ...)`.
inline napi_value Throw(napi_env env, const char* code, const std::string& message) {
  napi_throw_error(env, code, message.c_str());
  return nullptr;
}

// The first `max` arguments of the call (missing ones are undefined) and `this`'s data.
struct Args {
  size_t count = 0;
  napi_value argv[8] = {};
};

inline bool GetArgs(napi_env env, napi_callback_info info, Args* args) {
  args->count = 8;
  return napi_get_cb_info(env, info, &args->count, args->argv, nullptr, nullptr) == napi_ok;
}

inline bool GetString(napi_env env, napi_value value, std::string* out) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &len) != napi_ok) return false;
  out->resize(len);
  return napi_get_value_string_utf8(env, value, out->data(), len + 1, &len) == napi_ok;
}

inline bool GetInt64(napi_env env, napi_value value, int64_t* out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

inline bool GetBool(napi_env env, napi_value value, bool* out) {
  return napi_get_value_bool(env, value, out) == napi_ok;
}

inline napi_value Number(napi_env env, double value) {
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

inline napi_value String(napi_env env, const std::string& value) {
  napi_value out;
  napi_create_string_utf8(env, value.data(), value.size(), &out);
  return out;
}

inline napi_value Undefined(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

// The native object behind a handle (napi_external) passed back from JS, or nullptr.
template <typename T>
T* Unwrap(napi_env env, napi_value handle) {
  void* data = nullptr;
  if (napi_get_value_external(env, handle, &data) != napi_ok) return nullptr;
  return static_cast<T*>(data);
}

}  // namespace rampart
