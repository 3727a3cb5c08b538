// Scenarios that load: every field, the defaults, files on disk, the
// documentation's example.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario {
namespace {

const std::string kSourceDir = DRVSIM_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Loader, FullScenarioLoadsEveryField) {
  const std::string path = kSourceDir + "/tests/data/scenarios/full.yaml";
  const Scenario s = load_file(path);
  EXPECT_EQ(s.file, path);
  EXPECT_EQ(s.name, "everything");
  EXPECT_EQ(s.description, "Two pci-test functions and a probe");
  EXPECT_EQ(s.seed, 0xdeadbeefu);
  EXPECT_EQ(s.machine.cpus, 4u);
  EXPECT_EQ(s.machine.memory, 1ULL << 30);

  ASSERT_EQ(s.devices.size(), 2u);
  const DeviceSpec& d = s.devices[0];
  EXPECT_EQ(d.mark.str(), path + ":9:5");
  EXPECT_EQ(d.type, "pci-test");
  EXPECT_EQ(d.name, "edu0");
  EXPECT_EQ(d.address, (PciAddress{0, 2, 0}));
  EXPECT_EQ(d.vendor_id, 0x1b36);
  EXPECT_EQ(d.device_id, 0x0005);
  EXPECT_EQ(d.link.generation, 4u);
  EXPECT_EQ(d.link.lanes, 8u);
  EXPECT_EQ(d.link.max_payload, 512u);
  EXPECT_EQ(d.link.max_read_request, 1024u);
  EXPECT_EQ(d.link.latency, ns(250));
  const auto& t = std::get<PciTestSpec>(d.config);
  EXPECT_EQ(t.msi_vectors, 8u);
  EXPECT_FALSE(t.msi_per_vector_mask);
  EXPECT_EQ(t.msix_vectors, 16u);
  EXPECT_TRUE(t.bar0_64bit);
  EXPECT_EQ(t.bar0_size, 64u << 10);
  EXPECT_FALSE(t.bar2_64bit);
  EXPECT_EQ(t.dma_bytes_per_second, 500'000'000u);

  // The second device takes the default name of the second pci-test.
  EXPECT_EQ(s.devices[1].name, "pci-test1");
  EXPECT_EQ(s.devices[1].address, (PciAddress{0, 2, 1}));
  EXPECT_EQ(s.devices[1].address.str(), "00:02.1");

  ASSERT_EQ(s.processes.size(), 1u);
  EXPECT_EQ(s.processes[0].mark.str(), path + ":25:5");
  EXPECT_EQ(s.processes[0].name, "probe");
  EXPECT_EQ(s.processes[0].program, "pci-probe");
  EXPECT_EQ(s.processes[0].args, (std::vector<std::string>{"--verbose", "--bus", "0"}));
  EXPECT_EQ(s.run.duration, ms(2));
}

TEST(Loader, DefaultsApply) {
  const Scenario s = load_string(
      "devices:\n"
      "  - type: pci-test\n"
      "    address: '00:03.0'\n"
      "processes:\n"
      "  - program: pci-probe\n",
      "dir/quickstart.yaml");
  EXPECT_EQ(s.file, "dir/quickstart.yaml");
  EXPECT_EQ(s.name, "quickstart");  // the file's stem
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.machine.cpus, 1u);
  EXPECT_EQ(s.machine.memory, 256ULL << 20);
  ASSERT_EQ(s.devices.size(), 1u);
  const DeviceSpec& d = s.devices[0];
  EXPECT_EQ(d.name, "pci-test0");
  EXPECT_EQ(d.vendor_id, 0);
  EXPECT_EQ(d.device_id, 0);
  EXPECT_EQ(d.link.generation, 3u);
  EXPECT_EQ(d.link.lanes, 4u);
  EXPECT_EQ(d.link.max_payload, 256u);
  EXPECT_EQ(d.link.max_read_request, 512u);
  EXPECT_EQ(d.link.latency, ns(500));
  const auto& t = std::get<PciTestSpec>(d.config);
  EXPECT_EQ(t.msi_vectors, 1u);
  EXPECT_TRUE(t.msi_per_vector_mask);
  EXPECT_EQ(t.msix_vectors, 4u);
  EXPECT_FALSE(t.bar0_64bit);
  EXPECT_EQ(t.bar0_size, 4096u);
  EXPECT_TRUE(t.bar2_64bit);
  EXPECT_EQ(t.dma_bytes_per_second, 1'000'000'000u);
  ASSERT_EQ(s.processes.size(), 1u);
  EXPECT_EQ(s.processes[0].name, "pci-probe");
  EXPECT_TRUE(s.processes[0].args.empty());
  EXPECT_EQ(s.run.duration, ms(10));
}

TEST(Loader, EmptyMapIsAValidScenario) {
  const Scenario s = load_string("{}", "empty-map.yaml");
  EXPECT_EQ(s.name, "empty-map");
  EXPECT_TRUE(s.devices.empty());
  EXPECT_TRUE(s.processes.empty());
  EXPECT_EQ(s.run.duration, ms(10));
}

TEST(Loader, NumbersInHexAndUnitsInEveryPlace) {
  const Scenario s = load_string(
      "seed: 18446744073709551615\n"
      "machine: { cpus: 0x40, memory: 0x100000 }\n"
      "devices:\n"
      "  - { type: pci-test, address: 00:1f.0, bar0_size: 1GiB, dma_rate: 123456,\n"
      "      msix_vectors: 2048, msi_vectors: 0, vendor_id: 0xFFFE, link: { latency: 1ms } }\n"
      "  - { type: pci-test, address: 00:1F.7, bar0_size: 4096, dma_rate: 2GiB/s,\n"
      "      msix_vectors: 0 }\n"
      "run: { duration: 1234 }\n",
      "t.yaml");
  EXPECT_EQ(s.seed, 18446744073709551615ULL);
  EXPECT_EQ(s.machine.cpus, 64u);
  EXPECT_EQ(s.machine.memory, 1ULL << 20);
  ASSERT_EQ(s.devices.size(), 2u);
  EXPECT_EQ(s.devices[0].address, (PciAddress{0, 0x1f, 0}));
  EXPECT_EQ(s.devices[0].vendor_id, 0xfffe);
  EXPECT_EQ(s.devices[0].link.latency, ms(1));
  EXPECT_EQ(std::get<PciTestSpec>(s.devices[0].config).bar0_size, 1ULL << 30);
  EXPECT_EQ(std::get<PciTestSpec>(s.devices[0].config).dma_bytes_per_second, 123456u);
  EXPECT_EQ(std::get<PciTestSpec>(s.devices[0].config).msix_vectors, 2048u);
  EXPECT_EQ(std::get<PciTestSpec>(s.devices[0].config).msi_vectors, 0u);
  EXPECT_EQ(s.devices[1].address, (PciAddress{0, 0x1f, 7}));
  EXPECT_EQ(s.devices[1].address.str(), "00:1f.7");
  EXPECT_EQ(std::get<PciTestSpec>(s.devices[1].config).dma_bytes_per_second, 2ULL << 30);
  EXPECT_EQ(s.run.duration, ps(1234));
}

TEST(Loader, DefaultNamesCountPerTypeAndProcessesDefaultToTheirProgram) {
  const Scenario s = load_string(
      "devices:\n"
      "  - { type: pci-test, address: '00:02.0', name: first }\n"
      "  - { type: pci-test, address: '00:03.0' }\n"
      "  - { type: pci-test, address: '00:04.0' }\n"
      "processes:\n"
      "  - { program: pci-probe, name: probe-a, args: [] }\n"
      "  - { program: pci-probe }\n",
      "t.yaml");
  ASSERT_EQ(s.devices.size(), 3u);
  EXPECT_EQ(s.devices[0].name, "first");
  EXPECT_EQ(s.devices[1].name, "pci-test1");
  EXPECT_EQ(s.devices[2].name, "pci-test2");
  ASSERT_EQ(s.processes.size(), 2u);
  EXPECT_EQ(s.processes[0].name, "probe-a");
  EXPECT_EQ(s.processes[1].name, "pci-probe");
}

TEST(Loader, FunctionZeroMayComeAfterItsSiblings) {
  const Scenario s = load_string(
      "devices:\n"
      "  - { type: pci-test, address: '00:05.3' }\n"
      "  - { type: pci-test, address: '00:05.0' }\n",
      "t.yaml");
  ASSERT_EQ(s.devices.size(), 2u);
  EXPECT_EQ(s.devices[0].address.function, 3);
}

TEST(Loader, LoadingTwiceGivesTheSameScenario) {
  const std::string path = kSourceDir + "/tests/data/scenarios/full.yaml";
  const Scenario a = load_file(path);
  const Scenario b = load_string(read_text(path), path);
  ASSERT_EQ(a.devices.size(), b.devices.size());
  for (std::size_t i = 0; i < a.devices.size(); ++i) {
    EXPECT_EQ(a.devices[i].name, b.devices[i].name);
    EXPECT_EQ(a.devices[i].address, b.devices[i].address);
    EXPECT_EQ(a.devices[i].mark.str(), b.devices[i].mark.str());
  }
  EXPECT_EQ(a.seed, b.seed);
}

// docs/scenario-format.md's "Complete example" must load: the documentation
// cannot drift from the code without this test failing.
TEST(Loader, DocumentationExampleLoads) {
  const std::string doc = read_text(kSourceDir + "/docs/scenario-format.md");
  const std::size_t heading = doc.find("## Complete example");
  ASSERT_NE(heading, std::string::npos);
  const std::string open = "```yaml\n";
  const std::size_t begin = doc.find(open, heading);
  ASSERT_NE(begin, std::string::npos);
  const std::size_t end = doc.find("```", begin + open.size());
  ASSERT_NE(end, std::string::npos);
  const std::string example = doc.substr(begin + open.size(), end - begin - open.size());
  const Scenario s = load_string(example, "docs/scenario-format.md");
  EXPECT_EQ(s.name, "quickstart");
  EXPECT_FALSE(s.devices.empty());
  EXPECT_FALSE(s.processes.empty());
}

// The project's own scenarios (scenarios/*.yaml) must stay valid.
TEST(Loader, ProjectScenariosLoad) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSourceDir + "/scenarios")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    EXPECT_NO_THROW({
      const Scenario s = load_file(file.string());
      EXPECT_EQ(s.file, file.string());
    }) << file;
  }
}

TEST(Catalog, ListsDeviceTypesAndPrograms) {
  ASSERT_EQ(device_types().size(), 3u);
  EXPECT_EQ(device_types()[0], "pci-test");
  EXPECT_EQ(device_types()[1], "nvme");
  ASSERT_EQ(programs().size(), 10u);
  EXPECT_EQ(programs()[0], "pci-probe");
}

TEST(Mark, FormatsFileLineColumn) {
  EXPECT_EQ((Mark{"a.yaml", 3, 7}).str(), "a.yaml:3:7");
  EXPECT_EQ((Mark{"a.yaml", 0, 0}).str(), "a.yaml");
  const ScenarioError e(Mark{"a.yaml", 3, 7}, "bad");
  EXPECT_STREQ(e.what(), "a.yaml:3:7: bad");
  EXPECT_EQ(e.message(), "bad");
  EXPECT_EQ(e.mark().line, 3);
}

TEST(Loader, NvmeDevicesTakeNamespacesAndTimingOverrides) {
  const Scenario s = load_string(R"(
devices:
  - type: nvme
    address: "00:04.0"
    serial: SN123
    namespaces:
      - { size: 64MiB, lba_size: 4096 }
      - { nsid: 5, size: 8MiB }
    timing: { read_latency: 70us, channels: 4, channel_rate: 1GB/s }
)",
                                 "t.yaml");
  ASSERT_EQ(s.devices.size(), 1u);
  const auto& n = std::get<NvmeSpec>(s.devices[0].config);
  EXPECT_EQ(n.serial, "SN123");
  ASSERT_EQ(n.namespaces.size(), 2u);
  EXPECT_EQ(n.namespaces[0].nsid, 1u);
  EXPECT_EQ(n.namespaces[0].lba_size, 4096u);
  EXPECT_EQ(n.namespaces[0].size, 64ULL << 20);
  EXPECT_EQ(n.namespaces[1].nsid, 5u);
  EXPECT_EQ(n.namespaces[1].lba_size, 512u);
  EXPECT_EQ(n.timing.read_latency, us(70));
  EXPECT_EQ(n.timing.channels, 4u);
  EXPECT_EQ(n.timing.channel_rate, 1'000'000'000u);
  EXPECT_FALSE(n.timing.program_latency.has_value());
}

TEST(Loader, XhciDevicesTakeUsbDevicesOnMatchingPorts) {
  const Scenario s = load_string(R"(
devices:
  - type: xhci
    address: "00:06.0"
    capture: usb.pcap
    usb_devices:
      - { type: usb-storage, name: stick, speed: high, capacity: 32MiB }
      - { type: usb-storage, speed: super, port: 6, attach_at: 2ms, detach_at: 5ms }
)",
                                 "t.yaml");
  const auto& x = std::get<XhciSpec>(s.devices[0].config);
  EXPECT_EQ(x.capture, "usb.pcap");
  ASSERT_EQ(x.usb_devices.size(), 2u);
  EXPECT_EQ(x.usb_devices[0].name, "stick");
  EXPECT_FALSE(x.usb_devices[0].super_speed);
  EXPECT_EQ(x.usb_devices[0].capacity, 32ULL << 20);
  EXPECT_EQ(x.usb_devices[1].name, "usb-storage1");
  EXPECT_EQ(x.usb_devices[1].port, 6u);
  EXPECT_EQ(x.usb_devices[1].attach_at, ms(2));
  EXPECT_EQ(x.usb_devices[1].detach_at, ms(5));
  // A SuperSpeed device on a USB 2 port, a port that does not exist, a bad speed.
  EXPECT_THROW(load_string("devices:\n  - { type: xhci, address: '00:06.0', usb_devices: [ { type: usb-storage, "
                           "speed: super, port: 1 } ] }\n",
                           "t.yaml"),
               ScenarioError);
  EXPECT_THROW(load_string("devices:\n  - { type: xhci, address: '00:06.0', usb_devices: [ { type: usb-storage, "
                           "port: 9 } ] }\n",
                           "t.yaml"),
               ScenarioError);
  EXPECT_THROW(load_string("devices:\n  - { type: xhci, address: '00:06.0', usb_devices: [ { type: usb-storage, "
                           "speed: full } ] }\n",
                           "t.yaml"),
               ScenarioError);
}

TEST(Loader, NvmeMistakesAreCaughtWithTheirPosition) {
  EXPECT_THROW(load_string("devices:\n  - { type: nvme, address: '00:04.0', namespaces: [ { lba_size: 1024 } ] }\n",
                           "t.yaml"),
               ScenarioError);
  try {
    load_string("devices:\n  - type: nvme\n    address: '00:04.0'\n    timing: { read_latncy: 5us }\n", "t.yaml");
    FAIL() << "accepted a misspelled timing key";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().line, 4);
    EXPECT_NE(std::string(e.what()).find("did you mean 'read_latency'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_string("devices:\n  - { type: pci-test, address: '00:04.0', serial: x }\n", "t.yaml"),
               ScenarioError);  // nvme keys do not apply to pci-test
}

}  // namespace
}  // namespace sim::scenario
