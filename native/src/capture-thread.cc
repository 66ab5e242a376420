#include "capture-thread.h"

#include "napi-util.h"

namespace rampart {

// Slot pools bigger than this are a caller bug, not a tuning choice.
constexpr uint32_t kMaxSlots = 64;

napi_value CaptureThread::Wrap(napi_env env, CaptureThread* self, const napi_type_tag* tag) {
  napi_value handle;
  if (napi_create_external(env, self, Finalize, nullptr, &handle) != napi_ok) {
    self->CloseHandle();
    delete self;
    return Throw(env, "EIO", "cannot create the capture handle");
  }
  napi_type_tag_object(env, handle, tag);
  self->env_ = env;
  // Worker threads and process teardown end the environment without close(): the thread must
  // not outlive it.
  napi_add_env_cleanup_hook(env, EnvCleanup, self);
  return handle;
}

CaptureThread* CaptureThread::Unwrap(napi_env env, napi_value handle, const napi_type_tag* tag) {
  bool ok = false;
  if (napi_check_object_type_tag(env, handle, tag, &ok) != napi_ok || !ok) {
    napi_throw_type_error(env, nullptr, "not a handle of this kind");
    return nullptr;
  }
  void* data = nullptr;
  napi_get_value_external(env, handle, &data);
  return static_cast<CaptureThread*>(data);
}

napi_value CaptureThread::Start(napi_env env, napi_value handle, napi_value slots, napi_value onBatch,
                                napi_value onError) {
  if (started_ || closed_) return Throw(env, "EIO", started_ ? "capture already started" : "capture closed");
  bool isArray = false;
  uint32_t count = 0;
  napi_is_array(env, slots, &isArray);
  if (!isArray || napi_get_array_length(env, slots, &count) != napi_ok || count < 2 || count > kMaxSlots) {
    napi_throw_range_error(env, nullptr, "slots must be an array of 2 to 64 Buffers");
    return nullptr;
  }
  for (uint32_t i = 0; i < count; i++) {
    napi_value buf;
    void* data = nullptr;
    size_t bytes = 0;
    napi_get_element(env, slots, i, &buf);
    if (napi_get_buffer_info(env, buf, &data, &bytes) != napi_ok || bytes < MinSlotBytes()) {
      napi_throw_range_error(env, nullptr,
                             ("every slot must be a Buffer of at least " + std::to_string(MinSlotBytes()) + " bytes").c_str());
      slots_.clear();
      free_.clear();
      return nullptr;
    }
    slots_.push_back({static_cast<uint8_t*>(data), bytes});
    free_.push_back(static_cast<int>(i));
  }
  handoffs_.resize(count);
  napi_value name = String(env, "rampart.capture");
  // Unbounded queue: the pool already bounds it to `count` batches, and a bounded queue would
  // make the thread block inside napi_call_threadsafe_function where close() cannot wake it.
  if (napi_create_threadsafe_function(env, onBatch, nullptr, name, 0, 1, this, ThreadFinished, this, CallJs, &tsfn_) !=
      napi_ok) {
    return Throw(env, "EIO", "cannot create the capture thread's callback");
  }
  napi_create_reference(env, handle, 1, &self_);
  napi_create_reference(env, slots, 1, &slotsRef_);
  napi_create_reference(env, onError, 1, &onError_);
  started_ = true;
  tsfnAlive_ = true;
  thread_ = std::thread([this] {
    Run();
    runFinished_.store(true, std::memory_order_release);
    napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
  });
  return Undefined(env);
}

napi_value CaptureThread::Close(napi_env env) {
  napi_deferred deferred;
  napi_value promise;
  napi_create_promise(env, &deferred, &promise);
  if (tsfnAlive_) {
    if (closing_ != nullptr) {
      napi_value err = String(env, "close() already in progress");
      napi_reject_deferred(env, deferred, err);
      return promise;
    }
    // Resolved by ThreadFinished, after the last batch reached JS.
    closing_ = deferred;
    stopping_.store(true, std::memory_order_release);
    Wake();
    return promise;
  }
  if (!closed_) {
    CloseHandle();
    closed_ = true;
  }
  napi_resolve_deferred(env, deferred, Undefined(env));
  return promise;
}

int CaptureThread::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  slotFreed_.wait(lock, [this] { return !free_.empty() || Aborting(); });
  if (Aborting()) return -1;
  int slot = free_.front();
  free_.pop_front();
  return slot;
}

void CaptureThread::Hand(int slot, size_t bytes) {
  handoffs_[slot] = {slot, bytes};
  // The slot is the thread's alone until JS returns it, so its Handoff can be passed by address.
  if (napi_call_threadsafe_function(tsfn_, &handoffs_[slot], napi_tsfn_nonblocking) != napi_ok) ReturnSlot(slot);
}

void CaptureThread::Fail(const char* code, const std::string& message) {
  errorCode_ = code;
  errorMessage_ = message;
  napi_call_threadsafe_function(tsfn_, &error_, napi_tsfn_nonblocking);
}

void CaptureThread::ReturnSlot(int slot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(slot);
  }
  slotFreed_.notify_one();
}

void CaptureThread::Abort() {
  stopping_.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mu_);
    aborting_.store(true, std::memory_order_release);
  }
  slotFreed_.notify_all();
  Wake();
}

void CaptureThread::CallJs(napi_env env, napi_value onBatch, void* context, void* data) {
  auto* self = static_cast<CaptureThread*>(context);
  auto* handoff = static_cast<Handoff*>(data);
  napi_value result = nullptr;
  napi_status status = napi_ok;
  if (handoff == &self->error_) {
    if (env == nullptr || self->onError_ == nullptr) return;
    napi_value onError;
    napi_get_reference_value(env, self->onError_, &onError);
    napi_value argv[2] = {String(env, self->errorCode_), String(env, self->errorMessage_)};
    status = napi_call_function(env, Undefined(env), onError, 2, argv, &result);
  } else {
    // env is null when the tsfn is torn down with batches still queued: nothing to deliver to.
    if (env != nullptr) {
      napi_value argv[2];
      napi_create_int32(env, handoff->slot, &argv[0]);
      napi_create_double(env, static_cast<double>(handoff->bytes), &argv[1]);
      status = napi_call_function(env, Undefined(env), onBatch, 2, argv, &result);
    }
    self->ReturnSlot(handoff->slot);
  }
  // A throwing frame handler is a bug in the engine: surface it like any uncaught exception.
  if (status == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

void CaptureThread::ThreadFinished(napi_env env, void* data, void* /*hint*/) {
  auto* self = static_cast<CaptureThread*>(data);
  self->tsfnAlive_ = false;
  // Normally Run() has returned (it released the tsfn); at teardown the tsfn may go first.
  if (!self->runFinished_.load(std::memory_order_acquire)) self->Abort();
  if (self->thread_.joinable()) self->thread_.join();
  if (!self->closed_) {
    self->CloseHandle();
    self->closed_ = true;
  }
  if (self->slotsRef_ != nullptr) napi_delete_reference(env, self->slotsRef_);
  if (self->onError_ != nullptr) napi_delete_reference(env, self->onError_);
  self->slotsRef_ = nullptr;
  self->onError_ = nullptr;
  if (self->closing_ != nullptr) {
    napi_resolve_deferred(env, self->closing_, Undefined(env));
    self->closing_ = nullptr;
  }
  // Last: dropping the self reference may let the handle be collected.
  if (self->self_ != nullptr) {
    napi_ref ref = self->self_;
    self->self_ = nullptr;
    napi_delete_reference(env, ref);
  }
  self->MaybeDelete();
}

void CaptureThread::Finalize(napi_env /*env*/, void* data, void* /*hint*/) {
  auto* self = static_cast<CaptureThread*>(data);
  self->collected_ = true;
  if (!self->started_ && !self->closed_) {
    self->CloseHandle();
    self->closed_ = true;
  }
  self->MaybeDelete();
}

void CaptureThread::EnvCleanup(void* data) {
  auto* self = static_cast<CaptureThread*>(data);
  self->hookRan_ = true;
  if (self->thread_.joinable()) {
    self->Abort();
    self->thread_.join();
  }
  if (!self->closed_) {
    self->CloseHandle();
    self->closed_ = true;
  }
  self->MaybeDelete();
}

void CaptureThread::MaybeDelete() {
  if (!collected_ || tsfnAlive_ || thread_.joinable()) return;
  if (!hookRan_) napi_remove_env_cleanup_hook(env_, EnvCleanup, this);
  delete this;
}

}  // namespace rampart
