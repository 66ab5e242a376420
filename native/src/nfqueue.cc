// Inline mode: packets held by the kernel's NFQUEUE (iptables -j NFQUEUE --queue-num N), read
// on a thread, handed to JS in batches, released one by one by JS's verdicts.
//
// The nfnetlink_queue protocol is spoken directly on a netlink socket (kernel uapi headers only):
// it is a handful of fixed structs and attributes, and doing it here gives what the libraries
// hide or lack: the original length (NFQA_CAP_LEN), batch verdicts, and one config message so
// that bind and fail-open take effect together. No library beyond libc is needed for it.
//
// Batch records (JS walks them in nfqueue.ts): 20-byte little-endian header
//   packet id, ts_sec, ts_usec, caplen, wirelen
// then caplen bytes of the IP packet (link type RAW).
#include "nfqueue.h"

#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "capture-thread.h"
#include "napi-util.h"

namespace rampart {
namespace {

// From <linux/netfilter.h>, which does not mix with glibc's netinet headers in C++.
constexpr uint32_t kNfDrop = 0;
constexpr uint32_t kNfAccept = 1;

constexpr size_t kRecordHeaderBytes = 20;
constexpr napi_type_tag kNfqTag = {0x7261'6d70'6172'7402ULL, 0x6e66'7175'6575'6521ULL};
// Datagrams read per recvmmsg call, and the packets a batch holds before it goes to JS even
// while more are waiting: a verdict waits at most for this many packets to be read.
constexpr unsigned kVlen = 32;
constexpr unsigned kFlushPackets = 256;
// Netlink and attribute headers around a packet's payload (packet header, mark, timestamp,
// interface indexes, hardware address, cap len, skb info, uid/gid...): well under this.
constexpr size_t kMessageOverhead = 4096;
// Receive times kept per packet id for the verdict latency; ids are sequential per queue, so
// this is the number of packets that may be held at once without losing their latency.
constexpr uint32_t kLatencyRing = 1u << 17;

inline void PutU32LE(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline uint64_t MonotonicUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

inline uint64_t Be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

// Builds one nfnetlink_queue message in a caller's buffer.
class Message {
 public:
  Message(uint8_t* buf, uint16_t type, uint16_t flags, uint16_t queueNum) : buf_(buf) {
    auto* nlh = reinterpret_cast<nlmsghdr*>(buf_);
    std::memset(nlh, 0, NLMSG_HDRLEN + sizeof(nfgenmsg));
    nlh->nlmsg_type = static_cast<uint16_t>((NFNL_SUBSYS_QUEUE << 8) | type);
    nlh->nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | flags);
    auto* nfg = reinterpret_cast<nfgenmsg*>(buf_ + NLMSG_HDRLEN);
    nfg->nfgen_family = AF_UNSPEC;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(queueNum);
    len_ = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  }

  void Put(uint16_t type, const void* data, size_t bytes) {
    auto* nla = reinterpret_cast<nlattr*>(buf_ + len_);
    nla->nla_type = type;
    nla->nla_len = static_cast<uint16_t>(NLA_HDRLEN + bytes);
    std::memcpy(buf_ + len_ + NLA_HDRLEN, data, bytes);
    len_ += NLA_ALIGN(NLA_HDRLEN + bytes);
  }

  void PutBe32(uint16_t type, uint32_t value) {
    const uint32_t be = htonl(value);
    Put(type, &be, sizeof(be));
  }

  size_t Finish() {
    reinterpret_cast<nlmsghdr*>(buf_)->nlmsg_len = static_cast<uint32_t>(len_);
    return len_;
  }

 private:
  uint8_t* buf_;
  size_t len_;
};

int SendToKernel(int fd, const uint8_t* msg, size_t len) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return static_cast<int>(sendto(fd, msg, len, 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof(kernel)));
}

class NfQueue final : public CaptureThread {
 public:
  NfQueue(int fd, int wakeFd, uint16_t queueNum, uint32_t copyBytes, bool failOpen)
      : fd_(fd),
        wakeFd_(wakeFd),
        queueNum_(queueNum),
        copyBytes_(copyBytes),
        failOpen_(failOpen),
        receiveBytes_(copyBytes + kMessageOverhead),
        receive_(new uint8_t[receiveBytes_ * kVlen]),
        receivedAtUs_(new std::atomic<uint64_t>[kLatencyRing]) {
    for (uint32_t i = 0; i < kLatencyRing; i++) receivedAtUs_[i].store(0, std::memory_order_relaxed);
    for (unsigned i = 0; i < kVlen; i++) {
      iov_[i].iov_base = receive_.get() + i * receiveBytes_;
      iov_[i].iov_len = receiveBytes_;
      std::memset(&msgs_[i], 0, sizeof(msgs_[i]));
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
  }

  // Datagrams that arrived between bind and its acknowledgement during open: Run() delivers
  // them first, so no held packet goes unseen.
  std::vector<std::vector<uint8_t>> early;

  // Main thread. batch: accept every packet with an id <= `id` not yet given a verdict
  // (NFQNL_MSG_VERDICT_BATCH, one message for a run of accepts).
  void Verdict(uint32_t id, bool accept, bool batch) {
    // After close() the descriptor number may belong to something else by now.
    if (fd_ < 0) return;
    uint8_t buf[64];
    Message msg(buf, batch ? NFQNL_MSG_VERDICT_BATCH : NFQNL_MSG_VERDICT, 0, queueNum_);
    nfqnl_msg_verdict_hdr hdr{htonl(accept ? kNfAccept : kNfDrop), htonl(id)};
    msg.Put(NFQA_VERDICT_HDR, &hdr, sizeof(hdr));
    const size_t len = msg.Finish();
    if (SendToKernel(fd_, buf, len) != static_cast<int>(len)) verdictErrors_.fetch_add(1, std::memory_order_relaxed);
    const uint64_t now = MonotonicUs();
    if (!batch) {
      Account(id, accept, now);
      return;
    }
    if (!haveFloor_) {
      batchFloor_ = firstId_.load(std::memory_order_acquire) - 1;
      haveFloor_ = true;
    }
    uint32_t span = id - batchFloor_;  // ids wrap at 2^32: unsigned arithmetic follows them
    if (span > kLatencyRing) span = kLatencyRing;
    for (uint32_t i = id - span + 1, n = 0; n < span; i++, n++) Account(i, accept, now);
    batchFloor_ = id;
  }

  // packets, accepted, dropped, latency avg µs, latency max µs, enobufs, verdict errors
  void Stats(double out[7]) const {
    out[0] = static_cast<double>(packets_.load(std::memory_order_relaxed));
    out[1] = static_cast<double>(accepted_);
    out[2] = static_cast<double>(dropped_);
    out[3] = latencyCount_ == 0 ? 0 : static_cast<double>(latencySumUs_) / static_cast<double>(latencyCount_);
    out[4] = static_cast<double>(latencyMaxUs_);
    out[5] = static_cast<double>(enobufs_.load(std::memory_order_relaxed));
    out[6] = static_cast<double>(verdictErrors_.load(std::memory_order_relaxed));
  }

 protected:
  void Run() override {
    for (const auto& datagram : early) Parse(datagram.data(), datagram.size());
    early.clear();
    Flush();
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    while (!Stopping()) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        Fail("EIO", std::string("NFQUEUE poll failed: ") + std::strerror(errno));
        return;
      }
      if ((fds[1].revents & POLLIN) != 0) break;
      if (!ReadAvailable()) return;
    }
    // close(): packets already queued to us still reach JS (and get their verdicts) before the
    // socket goes.
    if (!Aborting()) ReadAvailable();
  }

  void Wake() override {
    const uint64_t one = 1;
    ssize_t ignored = write(wakeFd_, &one, sizeof(one));
    (void)ignored;
  }

  void CloseHandle() override {
    // Fail-open: what JS never ruled on is let through; otherwise the kernel drops what is
    // still held when the socket closes.
    if (failOpen_ && firstId_.load(std::memory_order_acquire) != 0) {
      Verdict(lastId_.load(std::memory_order_acquire), true, true);
    }
    close(fd_);
    close(wakeFd_);
    fd_ = -1;
  }

  size_t MinSlotBytes() const override { return kRecordHeaderBytes + copyBytes_; }

 private:
  // Reads every datagram waiting on the socket into batches. False after a fatal error.
  bool ReadAvailable() {
    for (;;) {
      const int n = recvmmsg(fd_, msgs_, kVlen, MSG_DONTWAIT, nullptr);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        // The socket's receive buffer overflowed: the kernel could not queue some packets to
        // us (counted by it as user_dropped; fail-open lets them through).
        if (errno == ENOBUFS) {
          enobufs_.fetch_add(1, std::memory_order_relaxed);
          continue;
        }
        Flush();
        Fail("EIO", std::string("NFQUEUE receive failed: ") + std::strerror(errno));
        return false;
      }
      for (int i = 0; i < n; i++) {
        if ((msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;
        Parse(static_cast<const uint8_t*>(iov_[i].iov_base), msgs_[i].msg_len);
      }
      if (static_cast<unsigned>(n) < kVlen) break;
    }
    Flush();
    return true;
  }

  // One datagram: one or more netlink messages.
  void Parse(const uint8_t* buf, size_t len) {
    const uint64_t nowUs = MonotonicUs();
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        // Verdicts ask for no acknowledgement, so an error message is a refused verdict.
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(nlh));
        if (err->error != 0) verdictErrors_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) continue;
      Packet(nlh, nowUs);
    }
  }

  void Packet(const nlmsghdr* nlh, uint64_t nowUs) {
    const uint8_t* attr = static_cast<const uint8_t*>(NLMSG_DATA(nlh)) + NLMSG_ALIGN(sizeof(nfgenmsg));
    const uint8_t* end = reinterpret_cast<const uint8_t*>(nlh) + nlh->nlmsg_len;
    const uint8_t* payload = nullptr;
    uint32_t payloadLen = 0, wireLen = 0, id = 0;
    bool haveId = false, haveWire = false;
    uint64_t sec = 0, usec = 0;
    bool haveTs = false;
    while (attr + NLA_HDRLEN <= end) {
      const auto* nla = reinterpret_cast<const nlattr*>(attr);
      if (nla->nla_len < NLA_HDRLEN || attr + nla->nla_len > end) break;
      const uint8_t* data = attr + NLA_HDRLEN;
      const uint32_t dataLen = nla->nla_len - NLA_HDRLEN;
      switch (nla->nla_type & NLA_TYPE_MASK) {
        case NFQA_PACKET_HDR:
          if (dataLen >= 4) {
            id = ntohl(*reinterpret_cast<const uint32_t*>(data));
            haveId = true;
          }
          break;
        case NFQA_PAYLOAD:
          payload = data;
          payloadLen = dataLen;
          break;
        case NFQA_CAP_LEN:
          if (dataLen >= 4) {
            wireLen = ntohl(*reinterpret_cast<const uint32_t*>(data));
            haveWire = true;
          }
          break;
        case NFQA_TIMESTAMP:
          if (dataLen >= 16) {
            sec = Be64(data);
            usec = Be64(data + 8);
            haveTs = true;
          }
          break;
        default:
          break;
      }
      attr += NLA_ALIGN(nla->nla_len);
    }
    if (!haveId) return;
    if (payloadLen > copyBytes_) payloadLen = copyBytes_;
    if (!haveWire) wireLen = payloadLen;
    // Packets the stack has not stamped (nothing asked for timestamps) get the time they were
    // read: close enough to arrival for packet-time windows.
    if (!haveTs) {
      timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      sec = static_cast<uint64_t>(ts.tv_sec);
      usec = static_cast<uint64_t>(ts.tv_nsec) / 1000;
    }

    const size_t need = kRecordHeaderBytes + payloadLen;
    if (slot_ >= 0 && used_ + need > SlotBytes(slot_)) Flush();
    if (slot_ < 0) {
      slot_ = Acquire();
      // Torn down: the packet stays held and the kernel drops it with the socket.
      if (slot_ < 0) return;
    }
    uint8_t* record = SlotData(slot_) + used_;
    PutU32LE(record, id);
    PutU32LE(record + 4, static_cast<uint32_t>(sec));
    PutU32LE(record + 8, static_cast<uint32_t>(usec));
    PutU32LE(record + 12, payloadLen);
    PutU32LE(record + 16, wireLen);
    if (payloadLen > 0) std::memcpy(record + kRecordHeaderBytes, payload, payloadLen);
    used_ += need;
    batchPackets_++;

    receivedAtUs_[id & (kLatencyRing - 1)].store(nowUs | 1, std::memory_order_relaxed);
    if (firstId_.load(std::memory_order_relaxed) == 0) firstId_.store(id == 0 ? 1 : id, std::memory_order_release);
    lastId_.store(id, std::memory_order_release);
    packets_.fetch_add(1, std::memory_order_relaxed);
    if (batchPackets_ >= kFlushPackets) Flush();
  }

  void Flush() {
    if (slot_ < 0) return;
    Hand(slot_, used_);
    slot_ = -1;
    used_ = 0;
    batchPackets_ = 0;
  }

  // Main thread: one packet's verdict, if it was seen and not yet ruled on.
  void Account(uint32_t id, bool accept, uint64_t nowUs) {
    const uint64_t at = receivedAtUs_[id & (kLatencyRing - 1)].exchange(0, std::memory_order_relaxed);
    if (at == 0) return;
    const uint64_t latency = nowUs > at ? nowUs - at : 0;
    latencySumUs_ += latency;
    latencyCount_++;
    if (latency > latencyMaxUs_) latencyMaxUs_ = latency;
    if (accept) {
      accepted_++;
    } else {
      dropped_++;
    }
  }

  int fd_;  // -1 once closed (main thread)
  const int wakeFd_;
  const uint16_t queueNum_;
  const uint32_t copyBytes_;
  const bool failOpen_;
  const size_t receiveBytes_;
  std::unique_ptr<uint8_t[]> receive_;
  iovec iov_[kVlen];
  mmsghdr msgs_[kVlen];

  // Capture thread.
  int slot_ = -1;
  size_t used_ = 0;
  unsigned batchPackets_ = 0;
  std::unique_ptr<std::atomic<uint64_t>[]> receivedAtUs_;
  std::atomic<uint32_t> firstId_{0};
  std::atomic<uint32_t> lastId_{0};
  std::atomic<uint64_t> packets_{0};
  std::atomic<uint64_t> enobufs_{0};
  std::atomic<uint64_t> verdictErrors_{0};

  // Main thread (verdicts are given there).
  bool haveFloor_ = false;
  uint32_t batchFloor_ = 0;
  uint64_t accepted_ = 0;
  uint64_t dropped_ = 0;
  uint64_t latencySumUs_ = 0;
  uint64_t latencyCount_ = 0;
  uint64_t latencyMaxUs_ = 0;
};

NfQueue* UnwrapNfq(napi_env env, napi_value handle) {
  return static_cast<NfQueue*>(CaptureThread::Unwrap(env, handle, &kNfqTag));
}

napi_value OpenFailed(napi_env env, int fd, const char* code, const std::string& message) {
  if (fd >= 0) close(fd);
  return Throw(env, code, message);
}

// nfqOpen(queueNum, maxLen, copyBytes, failOpen) -> handle, or throws EPERM / EIO.
napi_value Open(napi_env env, napi_callback_info info) {
  Args a;
  int64_t queueNum = 0, maxLen = 0, copyBytes = 0;
  bool failOpen = true;
  if (!GetArgs(env, info, &a) || !GetInt64(env, a.argv[0], &queueNum) || !GetInt64(env, a.argv[1], &maxLen) ||
      !GetInt64(env, a.argv[2], &copyBytes) || !GetBool(env, a.argv[3], &failOpen) || queueNum < 0 ||
      queueNum > 65535 || maxLen < 1 || copyBytes < 1 || copyBytes > 65535) {
    napi_throw_range_error(env, nullptr, "nfqOpen(queueNum 0..65535, maxLen >= 1, copyBytes 1..65535, failOpen)");
    return nullptr;
  }
  const std::string what = "NFQUEUE queue " + std::to_string(queueNum);
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) return OpenFailed(env, -1, "EIO", what + ": cannot open a netfilter socket: " + std::strerror(errno));
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    return OpenFailed(env, fd, "EIO", what + ": cannot bind the netfilter socket: " + std::strerror(errno));
  }
  // A big receive buffer rides out JS pauses (GC, a slow batch) without ENOBUFS; FORCE needs
  // CAP_NET_ADMIN, which binding a queue needs anyway.
  int rcvbuf = 16 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  }

  // Bind, copy mode, queue length and fail-open in one acknowledged message: they take effect
  // together, before the first packet is queued to us.
  uint8_t buf[256];
  Message msg(buf, NFQNL_MSG_CONFIG, NLM_F_ACK, static_cast<uint16_t>(queueNum));
  nfqnl_msg_config_cmd cmd{};
  cmd.command = NFQNL_CFG_CMD_BIND;
  msg.Put(NFQA_CFG_CMD, &cmd, sizeof(cmd));
  nfqnl_msg_config_params params{};
  params.copy_range = htonl(static_cast<uint32_t>(copyBytes));
  params.copy_mode = NFQNL_COPY_PACKET;
  msg.Put(NFQA_CFG_PARAMS, &params, sizeof(params));
  msg.PutBe32(NFQA_CFG_QUEUE_MAXLEN, static_cast<uint32_t>(maxLen));
  msg.PutBe32(NFQA_CFG_FLAGS, failOpen ? NFQA_CFG_F_FAIL_OPEN : 0);
  msg.PutBe32(NFQA_CFG_MASK, NFQA_CFG_F_FAIL_OPEN);
  const size_t len = msg.Finish();
  if (SendToKernel(fd, buf, len) != static_cast<int>(len)) {
    return OpenFailed(env, fd, "EIO", what + ": cannot send the queue configuration: " + std::strerror(errno));
  }

  int wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeFd < 0) return OpenFailed(env, fd, "EIO", what + ": eventfd failed: " + std::strerror(errno));
  auto* queue = new NfQueue(fd, wakeFd, static_cast<uint16_t>(queueNum), static_cast<uint32_t>(copyBytes), failOpen);

  // Wait for the acknowledgement; packets queued to us in the meantime are kept for Run().
  std::vector<uint8_t> datagram(static_cast<size_t>(copyBytes) + kMessageOverhead);
  int ackError = 0;
  bool acked = false;
  while (!acked) {
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 5000) <= 0) {
      ackError = ETIMEDOUT;
      break;
    }
    const ssize_t n = recv(fd, datagram.data(), datagram.size(), 0);
    if (n < 0) {
      if (errno == EINTR || errno == ENOBUFS) continue;
      ackError = errno;
      break;
    }
    size_t left = static_cast<size_t>(n);
    bool packets = false;
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(datagram.data()); NLMSG_OK(nlh, left);
         nlh = NLMSG_NEXT(nlh, left)) {
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        ackError = -static_cast<const nlmsgerr*>(NLMSG_DATA(nlh))->error;
        acked = true;
      } else {
        packets = true;
      }
    }
    if (packets) queue->early.emplace_back(datagram.begin(), datagram.begin() + n);
  }
  if (ackError != 0) {
    queue->early.clear();
    close(wakeFd);
    delete queue;
    if (ackError == EPERM) {
      return OpenFailed(env, fd, "EPERM",
                        what + ": operation not permitted (binding a queue needs root or CAP_NET_ADMIN, and the queue "
                               "must not be bound by another process)");
    }
    return OpenFailed(env, fd, "EIO", what + ": the kernel refused the queue: " + std::strerror(ackError));
  }
  return CaptureThread::Wrap(env, queue, &kNfqTag);
}

napi_value Start(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  NfQueue* queue = UnwrapNfq(env, a.argv[0]);
  if (queue == nullptr) return nullptr;
  return queue->Start(env, a.argv[0], a.argv[1], a.argv[2], a.argv[3]);
}

// nfqVerdict(handle, id, accept, batch)
napi_value VerdictCall(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  NfQueue* queue = UnwrapNfq(env, a.argv[0]);
  if (queue == nullptr) return nullptr;
  uint32_t id = 0;
  bool accept = false, batch = false;
  napi_get_value_uint32(env, a.argv[1], &id);
  GetBool(env, a.argv[2], &accept);
  GetBool(env, a.argv[3], &batch);
  queue->Verdict(id, accept, batch);
  return nullptr;
}

// nfqStats(handle) -> [packets, accepted, dropped, latencyAvgUs, latencyMaxUs, enobufs, verdictErrors]
napi_value Stats(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  NfQueue* queue = UnwrapNfq(env, a.argv[0]);
  if (queue == nullptr) return nullptr;
  double values[7];
  queue->Stats(values);
  napi_value out;
  napi_create_array_with_length(env, 7, &out);
  for (uint32_t i = 0; i < 7; i++) napi_set_element(env, out, i, Number(env, values[i]));
  return out;
}

napi_value Close(napi_env env, napi_callback_info info) {
  Args a;
  GetArgs(env, info, &a);
  NfQueue* queue = UnwrapNfq(env, a.argv[0]);
  if (queue == nullptr) return nullptr;
  return queue->Close(env);
}

}  // namespace

void RegisterNfQueue(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"nfqOpen", nullptr, Open, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nfqStart", nullptr, Start, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nfqVerdict", nullptr, VerdictCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nfqStats", nullptr, Stats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"nfqClose", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}

}  // namespace rampart
