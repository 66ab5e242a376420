// The interfaces libpcap can capture on, with their addresses, for `rampart interfaces`.
#include "interfaces.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include <cstring>

#include "napi-util.h"

namespace rampart {
namespace {

// Prefix length of a netmask given as bytes (contiguous masks; stops at the first gap).
int PrefixLength(const uint8_t* mask, size_t bytes) {
  int bits = 0;
  for (size_t i = 0; i < bytes; i++) {
    uint8_t b = mask[i];
    while ((b & 0x80) != 0) {
      bits++;
      b = static_cast<uint8_t>(b << 1);
    }
    if (mask[i] != 0xff) break;
  }
  return bits;
}

// "addr/prefix" for an IPv4 or IPv6 entry, or empty for other families (AF_PACKET...).
std::string Cidr(const pcap_addr* a) {
  if (a->addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN];
  if (a->addr->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(a->addr);
    inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
    int prefix = 32;
    if (a->netmask != nullptr && a->netmask->sa_family == AF_INET) {
      prefix = PrefixLength(reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(a->netmask)->sin_addr), 4);
    }
    return std::string(text) + "/" + std::to_string(prefix);
  }
  if (a->addr->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->addr);
    inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
    int prefix = 128;
    if (a->netmask != nullptr && a->netmask->sa_family == AF_INET6) {
      prefix = PrefixLength(reinterpret_cast<const sockaddr_in6*>(a->netmask)->sin6_addr.s6_addr, 16);
    }
    return std::string(text) + "/" + std::to_string(prefix);
  }
  return "";
}

// findAllDevs() -> [{ name, index, flags, v4: string[], v6: string[] }]; index 0 for pseudo
// devices (any, nflog, nfqueue, dbus...), which have no kernel interface. flags are PCAP_IF_*.
napi_value FindAllDevs(napi_env env, napi_callback_info /*info*/) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_if_t* devs = nullptr;
  if (pcap_findalldevs(&devs, err) != 0) return Throw(env, "EIO", std::string("cannot list interfaces: ") + err);
  napi_value list;
  napi_create_array(env, &list);
  uint32_t n = 0;
  for (pcap_if_t* d = devs; d != nullptr; d = d->next) {
    napi_value dev, v4, v6;
    napi_create_object(env, &dev);
    napi_create_array(env, &v4);
    napi_create_array(env, &v6);
    uint32_t n4 = 0, n6 = 0;
    for (pcap_addr* a = d->addresses; a != nullptr; a = a->next) {
      const std::string cidr = Cidr(a);
      if (cidr.empty()) continue;
      if (a->addr->sa_family == AF_INET) {
        napi_set_element(env, v4, n4++, String(env, cidr));
      } else {
        napi_set_element(env, v6, n6++, String(env, cidr));
      }
    }
    napi_set_named_property(env, dev, "name", String(env, d->name));
    napi_set_named_property(env, dev, "index", Number(env, if_nametoindex(d->name)));
    napi_set_named_property(env, dev, "flags", Number(env, d->flags));
    napi_set_named_property(env, dev, "v4", v4);
    napi_set_named_property(env, dev, "v6", v6);
    napi_set_element(env, list, n++, dev);
  }
  pcap_freealldevs(devs);
  return list;
}

}  // namespace

void RegisterInterfaces(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"findAllDevs", nullptr, FindAllDevs, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 1, props);
}

}  // namespace rampart
