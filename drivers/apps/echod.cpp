#include "drivers/apps/echod.hpp"

#include <cstring>
#include <string>

#include "drivers/hal/cqe_status.hpp"
#include "drivers/hal/file.hpp"

namespace apps {

namespace {

hal::Task<void> serve_ring(hal::Connection c) {
  for (;;) {
    auto sqe = co_await c.ring->next();
    if (!sqe) co_return;  // the consumer closed (ESHUTDOWN)
    if (sqe->opcode == kEchoPing) {
      c.ring->reply(*sqe, 0);
    } else if (sqe->opcode == kEchoSum) {
      auto buf = c.ring->buffer(sqe->addr, sqe->len);
      if (!buf) {
        c.ring->reply_error(*sqe, buf.error().code());
        continue;
      }
      std::uint64_t sum = 0;
      for (std::size_t i = 0; i < buf->size; ++i) sum += buf->data[i];
      c.ring->reply(*sqe, sum);
    } else {
      c.ring->reply_error(*sqe, hal::errc::nosys);
    }
  }
}

hal::Task<void> accept_rings(hal::Sys& sys, hal::SchemeServer* s) {
  for (;;) {
    auto c = co_await s->accept();
    if (!c) co_return;
    sys.executor().spawn(serve_ring(*c), "echod.ring");
  }
}

}  // namespace

hal::Task<int> echod_main(hal::Sys& sys) {
  auto s = sys.register_scheme("echo");
  if (!s) {
    sys.print("echod: " + s.error().message());
    co_return 1;
  }
  hal::SchemeServer* server = *s;
  sys.daemonize();
  sys.executor().spawn(accept_rings(sys, server), "echod.accept");
  std::uint64_t next_handle = 1;
  for (;;) {
    auto sqe = co_await server->requests().next();
    if (!sqe) co_return 0;
    hal::RingServer& r = server->requests();
    switch (static_cast<hal::Opcode>(sqe->opcode)) {
      case hal::Opcode::open: r.reply(*sqe, next_handle++); break;
      case hal::Opcode::close:
      case hal::Opcode::fsync: r.reply(*sqe, 0); break;
      case hal::Opcode::read:
      case hal::Opcode::pread: {
        auto buf = sys.grant_view(sqe->addr, sqe->len);
        if (!buf) {
          r.reply_error(*sqe, buf.error().code());
          break;
        }
        for (std::size_t i = 0; i < buf->size; ++i) buf->data[i] = static_cast<std::uint8_t>(sqe->offset + i);
        r.reply(*sqe, buf->size);
        break;
      }
      case hal::Opcode::write:
      case hal::Opcode::pwrite: r.reply(*sqe, sqe->len); break;
      case hal::Opcode::fstat: {
        auto buf = sys.grant_view(sqe->addr, sqe->len);
        if (!buf || buf->size < sizeof(hal::Stat)) {
          r.reply_error(*sqe, hal::errc::fault);
          break;
        }
        hal::Stat st;
        st.size = 1ULL << 40;
        st.block_size = 1;
        st.mode = 3;
        std::memcpy(buf->data, &st, sizeof st);
        r.reply(*sqe, 0);
        break;
      }
      default: r.reply_error(*sqe, hal::errc::nosys); break;
    }
  }
}

}  // namespace apps
