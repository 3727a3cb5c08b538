// What a process's file descriptors refer to.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace kernel {

class Scheme;
class UserRing;

enum class FileKind { irq, scheme, channel, memory };

struct OpenFile {
  FileKind kind = FileKind::irq;
  std::string path;
  // irq
  unsigned cpu = 0, vector = 0;
  // scheme: the daemon's own handle for it
  Scheme* scheme = nullptr;
  std::uint64_t handle = 0;
  // channel: the consumer end of a user -> user ring
  UserRing* ring = nullptr;
};

}  // namespace kernel
