// A capture source that runs on a thread of its own and hands batches of records to JS.
//
// Why a thread: reading the kernel (pcap's TPACKET_V3 ring, the NFQUEUE netlink socket) must go
// on while JS is busy with the previous batch, or the kernel drops. Why batches: one JS call per
// batch of thousands of packets instead of one per packet. The batch storage is a small pool of
// Buffers allocated by JS: the thread fills one, hands it over through a napi_threadsafe_function
// (which calls JS on the main thread, in order) and the slot returns to the pool when the JS
// callback returns. When every slot is with JS the thread waits, and the kernel's own buffer
// absorbs the burst (its drops show in the stats): backpressure, never unbounded memory.
#pragma once

#include <node_api.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rampart {

class CaptureThread {
 public:
  virtual ~CaptureThread() = default;

  // Wraps `self` in a JS handle (napi_external tagged with `tag`) that owns it.
  static napi_value Wrap(napi_env env, CaptureThread* self, const napi_type_tag* tag);
  // The object behind a handle made by Wrap with the same tag, or nullptr (a JS exception is
  // then pending).
  static CaptureThread* Unwrap(napi_env env, napi_value handle, const napi_type_tag* tag);

  // JS start(handle, slots: Buffer[], onBatch(slot, bytes), onError(code, message)).
  napi_value Start(napi_env env, napi_value handle, napi_value slots, napi_value onBatch, napi_value onError);
  // JS close(handle): a promise resolved once the thread has ended, every batch it filled has
  // been delivered and the OS handle is freed. Idempotent.
  napi_value Close(napi_env env);

 protected:
  // The thread's body: fills slots (Acquire, Hand) until Stopping(), then returns.
  virtual void Run() = 0;
  // Called from another thread: makes a blocking wait in Run() return soon.
  virtual void Wake() = 0;
  // Main thread, once no thread uses the handle any more: frees the OS resources.
  virtual void CloseHandle() = 0;
  // Bytes one record of the largest possible size needs: every slot must hold one.
  virtual size_t MinSlotBytes() const = 0;

  // Capture thread: a free slot, waiting for JS to return one; -1 when the addon is being torn
  // down (the environment is going away and nothing will be delivered any more).
  int Acquire();
  // Capture thread: hands slot's first `bytes` bytes to JS.
  void Hand(int slot, size_t bytes);
  // Capture thread: reports a fatal error to JS's onError; Run() should return after it.
  void Fail(const char* code, const std::string& message);
  // Graceful stop requested (close()): deliver what the kernel already holds, then return.
  bool Stopping() const { return stopping_.load(std::memory_order_acquire); }
  // The environment is going away: return at once, deliver nothing more.
  bool Aborting() const { return aborting_.load(std::memory_order_acquire); }

  uint8_t* SlotData(int slot) const { return slots_[slot].data; }
  size_t SlotBytes(int slot) const { return slots_[slot].bytes; }

 private:
  struct Slot {
    uint8_t* data;
    size_t bytes;
  };
  // What one tsfn call carries: a filled slot, or (error_) the fatal error.
  struct Handoff {
    int slot;
    size_t bytes;
  };

  static void CallJs(napi_env env, napi_value onBatch, void* context, void* data);
  static void ThreadFinished(napi_env env, void* data, void* hint);
  static void Finalize(napi_env env, void* data, void* hint);
  static void EnvCleanup(void* data);
  void ReturnSlot(int slot);
  void Abort();
  void MaybeDelete();

  napi_env env_ = nullptr;
  std::vector<Slot> slots_;
  std::vector<Handoff> handoffs_;
  Handoff error_{-1, 0};
  std::string errorCode_;
  std::string errorMessage_;

  std::mutex mu_;
  std::condition_variable slotFreed_;
  std::deque<int> free_;

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> aborting_{false};
  napi_threadsafe_function tsfn_ = nullptr;
  napi_ref self_ = nullptr;     // keeps the handle alive while the thread runs
  napi_ref slotsRef_ = nullptr;  // keeps the slot Buffers alive while the thread writes them
  napi_ref onError_ = nullptr;
  napi_deferred closing_ = nullptr;
  std::atomic<bool> runFinished_{false};  // Run() has returned
  // Main-thread state. The object is deleted once all three owners are done with it: the JS
  // handle (collected_), the tsfn (!tsfnAlive_) and the thread (not joinable).
  bool started_ = false;
  bool tsfnAlive_ = false;
  bool closed_ = false;     // CloseHandle() done
  bool collected_ = false;  // the JS handle was garbage-collected
  bool hookRan_ = false;    // the environment cleanup hook ran (teardown)
};

}  // namespace rampart
