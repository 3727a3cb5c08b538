// pcid's server side: each accepted connection is served by its own task,
// request by request (protocol.hpp), for the function pcid spawned the peer
// for. A bad request gets a negative errno; nothing a client sends can make
// pcid fail.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "drivers/hal/ring_client.hpp"
#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/pcid/ecam.hpp"
#include "drivers/pcid/function.hpp"
#include "drivers/pcid/spawner.hpp"

namespace pcid {

struct PcidState {
  hal::Sys* sys = nullptr;
  Ecam ecam;
  std::vector<Function> functions;
  DriverTable drivers;  // pid -> function
};

struct Reply {
  std::uint64_t status = 0;
  std::uint64_t extra = 0;
};

/// True for the registers pcid owns (WriteConfig answers EACCES).
bool owned_by_pcid(const Function& f, std::uint32_t offset);

/// Serves one request of `peer`. `ring` gives access to the peer's pool.
Reply handle_request(PcidState& state, hal::Pid peer, const hal::SqEntry64& sqe, const hal::RingServer& ring);

/// Serves one connection until the client closes it.
hal::Task<void> serve_connection(std::shared_ptr<PcidState> state, hal::Connection conn);
/// Requests the kernel forwards on "pcid:" paths: pcid serves no files, so
/// Close succeeds and everything else gets ENOSYS.
hal::Task<void> serve_forwarded(hal::RingServer* requests);
/// Accepts connections forever, each served by its own task on the
/// process's executor. Returns when accept fails (0 on ESHUTDOWN, else 1).
hal::Task<int> accept_connections(std::shared_ptr<PcidState> state, hal::SchemeServer* scheme);

}  // namespace pcid
