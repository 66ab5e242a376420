{
  "targets": [
    {
      "target_name": "rampart",
      "sources": [
        "src/addon.cc",
        "src/capture-thread.cc",
        "src/interfaces.cc",
        "src/nfqueue.cc",
        "src/pcap-capture.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "libraries": ["-lpcap"]
    }
  ]
}
