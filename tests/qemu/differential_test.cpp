// The differential scenarios, run on both platforms: scenarios/qemu-*.yaml
// say `platform: qemu`; each is run as written and again on drvsim's own
// models. Both runs must pass the scenario's expectations (data read back
// matches: blockbench verifies every block it wrote), and what the drivers
// learned and printed must be the same line for line, once the fields that
// are the models' own are taken out (differential.hpp lists them). Those
// fields are printed, not hidden.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "devices/qemu/qemu_process.hpp"
#include "sim/platform/platform.hpp"
#include "sim/scenario/scenario.hpp"
#include "tests/qemu/differential.hpp"

namespace {

// What the drivers traced about the hardware: "kind message" for every
// nvmed.*, xhcid.* and usbscsid.* event but the ones naming pids or vectors
// the kernel handed out.
std::string driver_trace(const std::string& jsonl) {
  std::ifstream in(jsonl);
  std::string out;
  for (std::string l; std::getline(in, l);) {
    const auto j = nlohmann::json::parse(l, nullptr, false);
    if (j.is_discarded() || !j.contains("kind") || !j.contains("f")) continue;
    const std::string kind = j["kind"];
    if (kind.rfind("nvmed.", 0) != 0 && kind.rfind("xhcid.", 0) != 0 && kind.rfind("usbscsid.", 0) != 0) continue;
    if (!j["f"].contains("msg") || !j["f"]["msg"].is_string()) continue;
    out += kind + " " + j["f"]["msg"].get<std::string>() + "\n";
  }
  return out;
}

struct Runs {
  sim::platform::RunResult sim, qemu;
  std::string sim_out, qemu_out;
};

Runs run_both(const std::string& stem) {
  sim::scenario::Scenario sc = sim::scenario::load_file(std::string(DRVSIM_SCENARIO_DIR) + "/" + stem + ".yaml");
  EXPECT_EQ(sc.platform, sim::scenario::PlatformKind::qemu) << stem << " is a QEMU scenario";
  Runs r;
  std::ostringstream qo, so;
  sim::platform::RunOptions o;
  o.log_level = sim::Severity::error;
  o.out = &qo;
  qemu::TempDir dir("drvsim-differential-");
  o.trace_json = dir.file("qemu.jsonl");
  r.qemu = sim::platform::run(sc, o);
  o.out = &so;
  o.platform = sim::scenario::PlatformKind::sim;
  o.trace_json = dir.file("sim.jsonl");
  r.sim = sim::platform::run(sc, o);
  r.qemu_out = qo.str() + driver_trace(dir.file("qemu.jsonl"));
  r.sim_out = so.str() + driver_trace(dir.file("sim.jsonl"));
  return r;
}

bool has(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

TEST(QemuDifferential, NvmeVerify) {
  const Runs r = run_both("qemu-nvme-verify");
  EXPECT_TRUE(r.qemu.passed()) << r.qemu_out;
  EXPECT_TRUE(r.sim.passed()) << r.sim_out;
  const qemutest::Comparison c = qemutest::compare(r.sim_out, r.qemu_out);
  std::cout << c.report();
  EXPECT_TRUE(c.only_sim.empty()) << c.report();
  EXPECT_TRUE(c.only_qemu.empty()) << c.report();
  // What must have been compared: the function's class, each namespace's
  // size and LBA size, the serial, version and MDTS, and both verify results.
  EXPECT_TRUE(has(c.matched, "pcid: 00:04.0 <pci vendor:device> class 01/08/02")) << c.report();
  EXPECT_TRUE(has(c.matched, "namespace 1: 131072 blocks x 512 B = 64 MiB")) << c.report();
  EXPECT_TRUE(has(c.matched, "namespace 2: 16384 blocks x 4096 B = 64 MiB")) << c.report();
  EXPECT_TRUE(has(c.matched, "serial DRVSIM-DIFF-0001 firmware <nvme Identify FR>, NVMe 1.4, MDTS 512 KiB")) << c.report();
  EXPECT_TRUE(has(c.matched, "400 ops in <blockbench timing>; errors 0, verify mismatches 0")) << c.report();
  EXPECT_TRUE(has(c.matched, "200 ops in <blockbench timing>; errors 0, verify mismatches 0")) << c.report();
  EXPECT_TRUE(has(c.matched, "nvmed.cap bdf=00:04.0 <nvme CAP.MQES CAP.TO> dstrd=0 mpsmin=0 mpsmax=4 vs=1.4")) << c.report();
  EXPECT_TRUE(has(c.matched, "serial=DRVSIM-DIFF-0001 <nvme Identify FR> mdts=7 <nvme Identify NN> acl=3 vwc=7")) << c.report();
  EXPECT_TRUE(has(c.matched, "nvmed.namespace bdf=00:04.0 nsid=2 blocks=16384 lba_bytes=4096 bytes=67108864")) << c.report();
  EXPECT_TRUE(has(c.matched, "nvmed.limits bdf=00:04.0 nsid=1 max_transfer=524288")) << c.report();
  // The models' own, listed: they do differ.
  EXPECT_TRUE(c.own.count("nvme Identify MN")) << c.report();
  EXPECT_TRUE(c.own.count("nvme Number of Queues granted")) << c.report();
  EXPECT_TRUE(c.own.count("pci vendor:device")) << c.report();
}

TEST(QemuDifferential, UsbVerify) {
  const Runs r = run_both("qemu-usb-verify");
  EXPECT_TRUE(r.qemu.passed()) << r.qemu_out;
  EXPECT_TRUE(r.sim.passed()) << r.sim_out;
  const qemutest::Comparison c = qemutest::compare(r.sim_out, r.qemu_out);
  std::cout << c.report();
  EXPECT_TRUE(c.only_sim.empty()) << c.report();
  EXPECT_TRUE(c.only_qemu.empty()) << c.report();
  // The controller's class and ports, the device's descriptors (USB version,
  // speed, configuration, interface class), SCSI capacity and block size, and
  // the verify result.
  EXPECT_TRUE(has(c.matched, "pcid: 00:06.0 <pci vendor:device> class 0c/03/30")) << c.report();
  EXPECT_TRUE(has(c.matched, "xhcid: port <usb port>: <usb bcdUSB> port <usb port> slot 1 high speed <usb idVendor:idProduct> configuration 1, 1 interface(s)"))
      << c.report();
  EXPECT_TRUE(has(c.matched, "interface 0 class 08/06/50 -> usbscsid")) << c.report();
  EXPECT_TRUE(has(c.matched, "131072 blocks of 512 bytes (64 MiB), high speed, disk.usb0:0")) << c.report();
  EXPECT_TRUE(has(c.matched, "100 ops in <blockbench timing>; errors 0, verify mismatches 0")) << c.report();
  EXPECT_TRUE(has(c.matched, "xhcid.controller 00:06.0 <xhci HCIVERSION MaxSlots>, 4 ports, 32-byte contexts")) << c.report();
  EXPECT_TRUE(has(c.matched, "xhcid.protocol USB 2<xhci protocol revision and ports> slot type 0")) << c.report();
  EXPECT_TRUE(c.own.count("scsi INQUIRY vendor product revision")) << c.report();
  // Both disks report the power-on unit attention (SAM-5 §5.14) on the first
  // TEST UNIT READY; ours did not until this comparison showed it.
  EXPECT_TRUE(has(c.matched, "usbscsid.check_condition opcode 0: sense key 6 ASC 29 ASCQ 00")) << c.report();
}

TEST(QemuDifferential, MixedVerify) {
  // SuperSpeed and 4-KiB blocks on USB; 256-KiB transfers (PRP lists) under
  // a 128-KiB MDTS on a 4-KiB NVMe namespace; reads and writes mixed.
  const Runs r = run_both("qemu-mixed-verify");
  EXPECT_TRUE(r.qemu.passed()) << r.qemu_out;
  EXPECT_TRUE(r.sim.passed()) << r.sim_out;
  const qemutest::Comparison c = qemutest::compare(r.sim_out, r.qemu_out);
  std::cout << c.report();
  EXPECT_TRUE(c.only_sim.empty()) << c.report();
  EXPECT_TRUE(c.only_qemu.empty()) << c.report();
  EXPECT_TRUE(has(c.matched, "slot 1 super speed <usb idVendor:idProduct> configuration 1, 1 interface(s)")) << c.report();
  EXPECT_TRUE(has(c.matched, "8192 blocks of 4096 bytes (32 MiB), super speed, disk.usb0:0")) << c.report();
  EXPECT_TRUE(has(c.matched, "MDTS 128 KiB")) << c.report();
  EXPECT_TRUE(has(c.matched, "namespace 1: 4096 blocks x 4096 B = 16 MiB")) << c.report();
  EXPECT_TRUE(has(c.matched, "randrw bs=262144 qd=4: 100 ops in <blockbench timing>; errors 0, verify mismatches 0")) << c.report();
  EXPECT_TRUE(has(c.matched, "randrw bs=65536 qd=1: 100 ops in <blockbench timing>; errors 0, verify mismatches 0")) << c.report();
  EXPECT_TRUE(c.own.count("usb root-hub port number")) << c.report();
}

}  // namespace
