// Live capture of one interface with libpcap.
//
// libpcap on Linux reads a TPACKET_V3 ring: the kernel fills blocks of packets and hands a block
// over when it is full or when the packet buffer timeout expires, so one wakeup covers many
// packets (immediate mode off). The thread copies each packet into the current batch slot as a
// classic pcap record (16-byte little-endian header: ts_sec, ts_nsec, caplen, wirelen) so that
// JS walks it with the offline pcap record parser.
#include "pcap-capture.h"

#include <pcap/pcap.h>

#include <chrono>
#include <cstring>

#include "capture-thread.h"
#include "napi-util.h"

namespace rampart {
namespace {

constexpr size_t kRecordHeaderBytes = 16;
constexpr napi_type_tag kPcapTag = {0x7261'6d70'6172'7401ULL, 0x7063'6170'6361'7074ULL};

inline void PutU32LE(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

class PcapCapture final : public CaptureThread {
 public:
  PcapCapture(pcap_t* pcap, std::string iface, int snaplen, int timeoutMs)
      : pcap_(pcap), iface_(std::move(iface)), snaplen_(snaplen), timeoutNs_(int64_t{timeoutMs} * 1000000) {}

  // received / dropped (kernel) / ifDropped, as of the last pcap_dispatch.
  void Stats(double out[3]) const {
    out[0] = static_cast<double>(received_.load(std::memory_order_relaxed));
    out[1] = static_cast<double>(dropped_.load(std::memory_order_relaxed));
    out[2] = static_cast<double>(ifDropped_.load(std::memory_order_relaxed));
  }

 protected:
  void Run() override {
    while (!Stopping()) {
      int n = pcap_dispatch(pcap_, -1, OnPacket, reinterpret_cast<u_char*>(this));
      if (n == PCAP_ERROR) {
        Flush();
        UpdateStats();
        Fail("EIO", iface_ + ": capture failed: " + pcap_geterr(pcap_));
        return;
      }
      // Returned: the kernel had no more retired blocks (or close() broke the loop). Whatever
      // was copied goes to JS now, so a quiet link still delivers within the timeout.
      Flush();
      UpdateStats();
    }
    if (Aborting()) return;
    Drain();
  }

  void Wake() override { pcap_breakloop(pcap_); }

  void CloseHandle() override {
    pcap_close(pcap_);
    pcap_ = nullptr;
  }

  size_t MinSlotBytes() const override { return kRecordHeaderBytes + static_cast<size_t>(snaplen_); }

 private:
  // close(): the kernel retires a partly filled block only when the timeout expires, so wait
  // that long once, then read without blocking: frames that arrived before close() are
  // delivered rather than lost with the ring.
  void Drain() {
    std::this_thread::sleep_for(std::chrono::nanoseconds(timeoutNs_) + std::chrono::milliseconds(2));
    char err[PCAP_ERRBUF_SIZE];
    if (pcap_setnonblock(pcap_, 1, err) == 0) {
      while (!Aborting() && pcap_dispatch(pcap_, -1, OnPacket, reinterpret_cast<u_char*>(this)) > 0) {
      }
    }
    Flush();
    UpdateStats();
  }

  static void OnPacket(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    reinterpret_cast<PcapCapture*>(user)->Copy(header, bytes);
  }

  void Copy(const pcap_pkthdr* header, const u_char* bytes) {
    const size_t need = kRecordHeaderBytes + header->caplen;
    // Nanosecond precision was asked for at open (see Open), so tv_usec holds nanoseconds.
    const int64_t tsNs = int64_t{header->ts.tv_sec} * 1000000000 + header->ts.tv_usec;
    // A batch older than the timeout goes out even under a steady stream that keeps
    // pcap_dispatch from returning: latency stays bounded by the timeout.
    if (slot_ >= 0 && (used_ + need > SlotBytes(slot_) || tsNs - batchStartNs_ > timeoutNs_)) Flush();
    if (slot_ < 0) {
      slot_ = Acquire();
      if (slot_ < 0) {
        pcap_breakloop(pcap_);
        return;
      }
      batchStartNs_ = tsNs;
    }
    uint8_t* record = SlotData(slot_) + used_;
    PutU32LE(record, static_cast<uint32_t>(header->ts.tv_sec));
    PutU32LE(record + 4, static_cast<uint32_t>(header->ts.tv_usec));
    PutU32LE(record + 8, header->caplen);
    PutU32LE(record + 12, header->len);
    std::memcpy(record + kRecordHeaderBytes, bytes, header->caplen);
    used_ += need;
  }

  // A slot is only taken for a packet, so a held slot is never empty.
  void Flush() {
    if (slot_ < 0) return;
    Hand(slot_, used_);
    slot_ = -1;
    used_ = 0;
  }

  // pcap_stats is called on this thread only: libpcap's handle is not shared between threads.
  void UpdateStats() {
    pcap_stat st{};
    if (pcap_stats(pcap_, &st) != 0) return;
    received_.store(st.ps_recv, std::memory_order_relaxed);
    dropped_.store(st.ps_drop, std::memory_order_relaxed);
    ifDropped_.store(st.ps_ifdrop, std::memory_order_relaxed);
  }

  pcap_t* pcap_;
  const std::string iface_;
  const int snaplen_;
  const int64_t timeoutNs_;
  int slot_ = -1;
  size_t used_ = 0;
  int64_t batchStartNs_ = 0;
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> ifDropped_{0};
};

PcapCapture* UnwrapPcap(napi_env env, napi_value handle) {
  return static_cast<PcapCapture*>(CaptureThread::Unwrap(env, handle, &kPcapTag));
}

// pcapOpen(iface, snaplen, promisc, bufferBytes, timeoutMs, filter | null)
//   -> { handle, linkType }, or throws Error with code ENODEV / EPERM / EFILTER / EIO.
napi_value Open(napi_env env, napi_callback_info info) {
  Args a;
  std::string iface, filter;
  int64_t snaplen = 0, bufferBytes = 0, timeoutMs = 0;
  bool promisc = false;
  napi_valuetype filterType = napi_undefined;
  if (!GetArgs(env, info, &a) || !GetString(env, a.argv[0], &iface) || !GetInt64(env, a.argv[1], &snaplen) ||
      !GetBool(env, a.argv[2], &promisc) || !GetInt64(env, a.argv[3], &bufferBytes) ||
      !GetInt64(env, a.argv[4], &timeoutMs)) {
    napi_throw_type_error(env, nullptr, "pcapOpen(iface, snaplen, promisc, bufferBytes, timeoutMs, filter)");
    return nullptr;
  }
  napi_typeof(env, a.argv[5], &filterType);
  if (filterType == napi_string) GetString(env, a.argv[5], &filter);

  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_create(iface.c_str(), err);
  if (p == nullptr) return Throw(env, "EIO", iface + ": " + err);
  pcap_set_snaplen(p, static_cast<int>(snaplen));
  pcap_set_promisc(p, promisc ? 1 : 0);
  pcap_set_timeout(p, static_cast<int>(timeoutMs));
  pcap_set_buffer_size(p, static_cast<int>(bufferBytes));
  // Off: the kernel batches packets into blocks and wakes us once per block or timeout.
  pcap_set_immediate_mode(p, 0);
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  int rc = pcap_activate(p);
  if (rc < 0) {
    std::string detail = pcap_geterr(p);
    if (detail.empty()) detail = pcap_statustostr(rc);
    pcap_close(p);
    switch (rc) {
      case PCAP_ERROR_NO_SUCH_DEVICE:
        return Throw(env, "ENODEV", iface + ": no such interface (" + detail + ")");
      case PCAP_ERROR_PERM_DENIED:
      case PCAP_ERROR_PROMISC_PERM_DENIED:
        return Throw(env, "EPERM",
                     iface + ": permission denied: live capture needs root or CAP_NET_RAW (" + detail + ")");
      case PCAP_ERROR_IFACE_NOT_UP:
        return Throw(env, "EIO", iface + ": interface is down (" + detail + ")");
      default:
        return Throw(env, "EIO", iface + ": cannot capture (" + detail + ")");
    }
  }
  // Should the precision request have been refused, timestamps would be µs: scale them instead
  // of telling JS two formats.
  if (pcap_get_tstamp_precision(p) != PCAP_TSTAMP_PRECISION_NANO) {
    pcap_close(p);
    return Throw(env, "EIO", iface + ": libpcap refused nanosecond timestamps");
  }
  if (!filter.empty()) {
    bpf_program program{};
    if (pcap_compile(p, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      std::string detail = pcap_geterr(p);
      pcap_close(p);
      return Throw(env, "EFILTER", "bad capture filter \"" + filter + "\": " + detail);
    }
    int set = pcap_setfilter(p, &program);
    pcap_freecode(&program);
    if (set != 0) {
      std::string detail = pcap_geterr(p);
      pcap_close(p);
      return Throw(env, "EFILTER", iface + ": cannot install filter \"" + filter + "\": " + detail);
    }
  }
  const int linkType = pcap_datalink(p);
  // pcap_snapshot may have lowered the snaplen (some link types cap it): slots are sized on it.
  auto* capture = new PcapCapture(p, iface, pcap_snapshot(p), static_cast<int>(timeoutMs));
  napi_value handle = CaptureThread::Wrap(env, capture, &kPcapTag);
  if (handle == nullptr) return nullptr;
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "handle", handle);
  napi_set_named_property(env, result, "linkType", Number(env, linkType));
  napi_set_named_property(env, result, "snaplen", Number(env, pcap_snapshot(p)));
  return result;
}

napi_value Start(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  PcapCapture* capture = UnwrapPcap(env, a.argv[0]);
  if (capture == nullptr) return nullptr;
  return capture->Start(env, a.argv[0], a.argv[1], a.argv[2], a.argv[3]);
}

// pcapStats(handle) -> [received, dropped, ifDropped]
napi_value Stats(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  PcapCapture* capture = UnwrapPcap(env, a.argv[0]);
  if (capture == nullptr) return nullptr;
  double values[3];
  capture->Stats(values);
  napi_value out;
  napi_create_array_with_length(env, 3, &out);
  for (uint32_t i = 0; i < 3; i++) napi_set_element(env, out, i, Number(env, values[i]));
  return out;
}

napi_value Close(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  PcapCapture* capture = UnwrapPcap(env, a.argv[0]);
  if (capture == nullptr) return nullptr;
  return capture->Close(env);
}

}  // namespace

void RegisterPcap(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"pcapOpen", nullptr, Open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pcapStart", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pcapStats", nullptr, Stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pcapClose", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pcapLibVersion", nullptr, nullptr, nullptr, nullptr, String(env, pcap_lib_version()), napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace rampart
