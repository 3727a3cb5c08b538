// One NVMe controller as nvmed drives it, and its bring-up (NVMe Base 1.4
// §7.6.1): map BAR0, read CAP, route interrupt vectors (one MSI-X entry for
// the admin queue and one per I/O queue, each on the CPU the queue serves),
// reset and enable the controller with its admin queue, Identify
// Controller, the active namespace list and Identify Namespace for each,
// Set Features Number of Queues, and one I/O queue pair per CPU (CQ first,
// then SQ) within what the controller grants.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/hal/sys.hpp"
#include "drivers/hal/task.hpp"
#include "drivers/nvmed/controller.hpp"
#include "drivers/nvmed/disk_scheme.hpp"
#include "drivers/nvmed/dma_pool.hpp"
#include "drivers/nvmed/engine.hpp"
#include "drivers/nvmed/identify.hpp"
#include "drivers/nvmed/interrupts.hpp"
#include "drivers/nvmed/namespace.hpp"
#include "drivers/nvmed/options.hpp"
#include "drivers/pcid/client.hpp"

namespace nvmed {

class Driver : public std::enable_shared_from_this<Driver> {
 public:
  Driver(hal::Sys& sys, pcid::PcidClient pcid, Options options);

  /// Everything from fetching the function's configuration up to "requests
  /// may flow"; prints what it found.
  hal::Task<hal::Result<void>> bring_up();
  /// Registers disk.nvmeN (the index from the options, else the first free).
  hal::Result<hal::SchemeServer*> register_scheme();
  /// Serves the scheme until it shuts down, then shuts the controller down.
  hal::Task<void> serve(hal::SchemeServer& server);

  /// "00:02.0" once the configuration is fetched.
  const std::string& bdf() const { return bdf_; }
  const std::string& scheme_name() const { return scheme_name_; }
  const ControllerIdentity& identity() const { return identity_; }
  Engine& engine() { return *engine_; }
  Controller& controller() { return *controller_; }
  const std::vector<std::unique_ptr<Namespace>>& namespaces() const { return namespaces_; }
  const InterruptSetup& interrupts() const { return irqs_; }
  DiskScheme* scheme() { return scheme_.get(); }

 private:
  hal::Task<hal::Result<void>> identify_controller();
  hal::Task<hal::Result<void>> identify_namespaces();
  hal::Task<hal::Result<void>> create_queues();
  /// Transfer limits, the PRP list and bounce buffer pools, the namespaces.
  void setup_data_path();
  void say(const std::string& line);
  void note(const char* kind, const std::string& message);

  hal::Sys& sys_;
  pcid::PcidClient pcid_;
  pcid::FunctionConfig cfg_{};
  Options options_;
  std::string bdf_;
  Bars bars_;
  std::optional<Controller> controller_;
  std::unique_ptr<Engine> engine_;
  InterruptSetup irqs_;
  hal::DmaBuffer identify_page_;
  ControllerIdentity identity_;
  std::vector<NamespaceInfo> found_;
  std::unique_ptr<DmaPool> prp_pages_, bounce_;
  std::vector<std::unique_ptr<Namespace>> namespaces_;
  std::unique_ptr<DiskScheme> scheme_;
  std::string scheme_name_;
};

}  // namespace nvmed
