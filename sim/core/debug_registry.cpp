#include "sim/core/debug_registry.hpp"

#include <cstdint>
#include <ostream>
#include <vector>

namespace sim {

namespace {

struct Entry {
  std::uint64_t id;
  std::string category, name;
  DebugDumper dump;
};

// The simulator is single-threaded (one SystemC kernel): no lock.
std::vector<Entry>& entries() {
  static std::vector<Entry> e;
  return e;
}
std::uint64_t next_id = 1;

void unregister(std::uint64_t id) {
  auto& e = entries();
  for (auto it = e.begin(); it != e.end(); ++it)
    if (it->id == id) {
      e.erase(it);
      return;
    }
}

}  // namespace

DebugRegistration& DebugRegistration::operator=(DebugRegistration&& o) noexcept {
  if (this != &o) {
    if (id_) unregister(id_);
    id_ = o.id_;
    o.id_ = 0;
  }
  return *this;
}

DebugRegistration::~DebugRegistration() {
  if (id_) unregister(id_);
}

DebugRegistration register_debug_dumper(std::string category, std::string name, DebugDumper dump) {
  const std::uint64_t id = next_id++;
  entries().push_back(Entry{id, std::move(category), std::move(name), std::move(dump)});
  return DebugRegistration(id);
}

std::size_t run_debug_dumpers(const std::string& category, std::ostream& os) {
  std::size_t n = 0;
  for (const Entry& e : entries()) {
    if (e.category != category) continue;
    os << "== " << e.name << " ==\n";
    e.dump(os);
    ++n;
  }
  return n;
}

}  // namespace sim
