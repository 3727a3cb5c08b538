// Choosing the QEMU platform, and what it refuses, without starting QEMU:
// the `platform` key, and the scenario -> QEMU machine translation.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "devices/qemu/qemu_devices.hpp"
#include "sim/platform/qemu_platform.hpp"
#include "sim/scenario/scenario.hpp"

namespace {

using sim::scenario::load_string;
using sim::scenario::PlatformKind;
using sim::scenario::ScenarioError;

std::string error_of(const std::string& yaml) {
  try {
    load_string(yaml, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(QemuPlatformKey, DefaultsToSimAndAcceptsQemu) {
  EXPECT_EQ(load_string("seed: 3\n", "t.yaml").platform, PlatformKind::sim);
  EXPECT_EQ(load_string("platform: sim\n", "t.yaml").platform, PlatformKind::sim);
  EXPECT_EQ(load_string("platform: qemu\n", "t.yaml").platform, PlatformKind::qemu);
}

TEST(QemuPlatformKey, RefusesOtherValuesAndADigestOnQemu) {
  EXPECT_EQ(error_of("seed: 1\nplatform: kvm\n"), "t.yaml:2:11: platform: must be 'sim' or 'qemu', got 'kvm'");
  EXPECT_EQ(error_of("platform: qemu\nexpect: { digest: 0123456789abcdef0123456789abcdef }\n"),
            "t.yaml:2:19: expect.digest: a run on platform qemu is not deterministic; it has no digest");
}

sim::scenario::Scenario qemu_scenario(const std::string& devices) {
  return load_string("platform: qemu\ndevices:\n" + devices, "t.yaml");
}

std::string spec_error(const std::string& devices) {
  try {
    const auto sc = qemu_scenario(devices);
    const qemu::MachineSpec m = sim::platform::qemu_machine_spec(sc);
    qemu::TempDir dir;
    qemu::device_args(m, dir);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(QemuPlatformSpec, NvmeAndXhciBecomeQemuOptions) {
  const auto sc = qemu_scenario(
      "  - { type: nvme, name: n0, address: \"00:04.0\", serial: S1, namespaces: [ { size: 1MiB }, { nsid: 5, size: 2MiB, lba_size: 4096 } ] }\n"
      "  - { type: xhci, name: x0, address: \"00:06.0\", usb3_ports: 0, usb_devices: [ { type: usb-storage, name: st, capacity: 1MiB } ] }\n");
  const qemu::MachineSpec m = sim::platform::qemu_machine_spec(sc);
  ASSERT_EQ(m.nvme.size(), 1u);
  ASSERT_EQ(m.nvme[0].namespaces.size(), 2u);
  EXPECT_EQ(m.nvme[0].namespaces[0].nsid, 1u);
  EXPECT_EQ(m.nvme[0].namespaces[1].nsid, 5u);
  ASSERT_EQ(m.xhci.size(), 1u);
  EXPECT_EQ(m.xhci[0].usb_devices.at(0).port, 1u);  // the first free USB 2 port
  qemu::TempDir dir;
  const std::vector<std::string> args = qemu::device_args(m, dir);
  auto has = [&](const std::string& a) { return std::find(args.begin(), args.end(), a) != args.end(); };
  EXPECT_TRUE(has("nvme,id=n0,bus=pcie.0,addr=04.0,serial=S1,msix_qsize=17,max_ioqpairs=64,mdts=7"));
  EXPECT_TRUE(has("nvme-ns,bus=n0,drive=n0n5,nsid=5,logical_block_size=4096,physical_block_size=4096"));
  EXPECT_TRUE(has("qemu-xhci,id=x0,bus=pcie.0,addr=06.0,p2=4,p3=0"));
  EXPECT_TRUE(has("usb-bot,id=st,bus=x0.0,port=1,serial=DS0001"));
  EXPECT_TRUE(has("scsi-hd,bus=st.0,drive=st-drive,serial=DS0001,logical_block_size=512,physical_block_size=512"));
}

TEST(QemuPlatformSpec, RefusesWhatQemuCannotStandIn) {
  EXPECT_NE(spec_error("  - { type: pci-test, address: \"00:02.0\" }\n").find("has no QEMU model"), std::string::npos);
  EXPECT_NE(spec_error("  - { type: xhci, address: \"00:06.0\", usb_devices: [ { type: usb-storage, name: st } ] }\n")
                .find("runs at SuperSpeed"),
            std::string::npos);
  EXPECT_NE(spec_error("  - { type: xhci, address: \"00:06.0\", usb3_ports: 0, usb_devices: [ { type: usb-storage, name: st, "
                       "attach_at: 1ms } ] }\n")
                .find("hotplug"),
            std::string::npos);
  EXPECT_NE(spec_error("  - { type: nvme, address: \"00:04.0\", vendor_id: 0x8086 }\n").find("Vendor and Device IDs"),
            std::string::npos);
}

}  // namespace
