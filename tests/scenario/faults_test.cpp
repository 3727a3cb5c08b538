// The `faults` section: what it accepts, and every refusal with file:line:col.
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario {
namespace {

// An NVMe controller and an xHCI controller with a USB stick; line 9 is the
// first line of the faults list.
std::string machine_with(const std::string& faults) {
  return "devices:\n"
         "  - { type: nvme, name: nvme0, address: '00:04.0' }\n"
         "  - type: xhci\n"
         "    name: xhci0\n"
         "    address: '00:06.0'\n"
         "    usb_devices: [ { type: usb-storage, name: stick } ]\n"
         "run: { duration: 1s }\n"
         "faults:\n" +
         faults;
}

std::string error_of(const std::string& yaml) {
  try {
    load_string(yaml, "t.yaml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "loaded without error:\n" << yaml;
  return "";
}

TEST(Faults, EveryKindWithItsKeys) {
  const Scenario s = load_string(machine_with("  - { at: 5ms, device: nvme0, kind: controller-hang, for: 50ms }\n"
                                              "  - { at: 1ms, device: nvme0, kind: drop-completion, count: 3, queue: any }\n"
                                              "  - { at: 7ms, device: nvme0, kind: fatal }\n"
                                              "  - { at: 2ms, device: stick, kind: stall-next, count: 2, pipe: in }\n"
                                              "  - { at: 0, device: stick, kind: bad-csw, field: tag }\n"
                                              "  - { at: 3ms, device: nvme0, kind: controller-hang }\n"),
                                 "t.yaml");
  ASSERT_EQ(s.faults.size(), 6u);
  EXPECT_EQ(s.faults[0].kind, "controller-hang");
  EXPECT_EQ(s.faults[0].at, ms(5));
  EXPECT_EQ(s.faults[0].duration, ms(50));
  EXPECT_EQ(s.faults[0].device, "nvme0");
  EXPECT_EQ(s.faults[0].mark.line, 9);
  EXPECT_EQ(s.faults[1].count, 3u);
  EXPECT_EQ(s.faults[1].queue, "any");
  EXPECT_EQ(s.faults[2].kind, "fatal");
  EXPECT_EQ(s.faults[3].device, "stick");
  EXPECT_EQ(s.faults[3].pipe, "in");
  EXPECT_EQ(s.faults[3].count, 2u);
  EXPECT_EQ(s.faults[4].field, "tag");
  EXPECT_EQ(s.faults[4].count, 1u);  // the default
  EXPECT_EQ(s.faults[5].duration, 0u);  // until a reset
  EXPECT_EQ(s.faults[5].queue, "io");
  EXPECT_EQ(s.faults[5].pipe, "both");
}

TEST(Faults, NoFaultsByDefault) {
  EXPECT_TRUE(load_string("devices: []\n", "t.yaml").faults.empty());
  EXPECT_TRUE(load_string(machine_with("  []\n"), "t.yaml").faults.empty());
}

TEST(Faults, MisspelledKindKeyAndDeviceGetSuggestions) {
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: nvme0, kind: controller-hung }\n")),
            "t.yaml:9:37: faults[0].kind: unknown fault kind 'controller-hung' (did you mean 'controller-hang'?)");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: nvme0, kind: fatal, coutn: 2 }\n")),
            "t.yaml:9:44: unknown key 'coutn' in fault (did you mean 'count'?)");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: nvme1, kind: fatal }\n")),
            "t.yaml:9:24: faults[0].device: no device 'nvme1' (did you mean 'nvme0'?)");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: stick, kind: stall-next, pipe: inn }\n")),
            "t.yaml:9:55: faults[0].pipe: unknown value 'inn' (did you mean 'in'?)");
}

TEST(Faults, KindMustFitTheDeviceAndItsKeysTheKind) {
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: stick, kind: fatal }\n")),
            "t.yaml:9:24: faults[0].device: fault kind 'fatal' applies to nvme devices; 'stick' is a usb-storage device");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: xhci0, kind: bad-csw }\n")),
            "t.yaml:9:24: faults[0].device: fault kind 'bad-csw' applies to usb-storage devices; 'xhci0' is a xhci device");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: nvme0, kind: fatal, pipe: in }\n")),
            "t.yaml:9:44: key 'pipe' does not apply to fault kind 'fatal'");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: nvme0, kind: drop-completion, for: 1ms }\n")),
            "t.yaml:9:54: key 'for' does not apply to fault kind 'drop-completion'");
}

TEST(Faults, RequiredKeysAndValues) {
  EXPECT_EQ(error_of(machine_with("  - { device: nvme0, kind: fatal }\n")),
            "t.yaml:9:5: faults[0]: missing required key 'at' in fault");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, kind: fatal }\n")),
            "t.yaml:9:5: faults[0]: missing required key 'device' in fault");
  EXPECT_EQ(error_of(machine_with("  - { at: 2s, device: nvme0, kind: fatal }\n")),
            "t.yaml:9:11: faults[0].at: the fault at 2s would never happen: run.duration is 1s");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: nvme0, kind: controller-hang, for: 0 }\n")),
            "t.yaml:9:59: faults[0].for: must be more than 0 (leave 'for' out for a hang that lasts until a reset)");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: stick, kind: bad-csw, count: 0 }\n")),
            "t.yaml:9:53: faults[0].count: must be between 1 and 1000000, got 0");
  EXPECT_EQ(error_of(machine_with("  - { at: 5ms, device: stick, kind: bad-csw, field: crc }\n")),
            "t.yaml:9:53: faults[0].field: must be one of signature, tag, got 'crc'");
}

}  // namespace
}  // namespace sim::scenario
