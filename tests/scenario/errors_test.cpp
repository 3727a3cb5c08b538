// Scenarios that are refused: every refusal names file:line:col and says why.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace sim::scenario {
namespace {

// The error load_string() throws for `yaml`, read as file "t.yaml".
ScenarioError error_of(std::string_view yaml) {
  try {
    load_string(yaml, "t.yaml");
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "loaded without error:\n" << yaml;
  return ScenarioError(Mark{}, "");
}

// A scenario with one device whose map holds `device_keys` after the type
// and address (each line indented by 4), so line 4 is the first extra key.
std::string one_device(const std::string& device_keys) {
  return "devices:\n"
         "  - type: pci-test\n"
         "    address: '00:02.0'\n" +
         device_keys;
}

TEST(Errors, MisspelledKeyGivesPositionAndSuggestion) {
  const ScenarioError e = error_of(
      "devices:\n"
      "  - type: pci-test\n"
      "    adress: '00:02.0'\n");
  EXPECT_STREQ(e.what(), "t.yaml:3:5: unknown key 'adress' in device (did you mean 'address'?)");
  EXPECT_EQ(e.mark().file, "t.yaml");
  EXPECT_EQ(e.mark().line, 3);
  EXPECT_EQ(e.mark().column, 5);
}

TEST(Errors, MisspelledKeysAtEveryLevel) {
  EXPECT_STREQ(error_of("machne: {}\n").what(),
               "t.yaml:1:1: unknown key 'machne' in scenario (did you mean 'machine'?)");
  EXPECT_STREQ(error_of("machine:\n  cpu: 2\n").what(),
               "t.yaml:2:3: unknown key 'cpu' in machine (did you mean 'cpus'?)");
  EXPECT_STREQ(error_of("run: { duraton: 1ms }\n").what(),
               "t.yaml:1:8: unknown key 'duraton' in run (did you mean 'duration'?)");
  EXPECT_STREQ(error_of(one_device("    link: { lanse: 4 }\n")).what(),
               "t.yaml:4:13: unknown key 'lanse' in link (did you mean 'lanes'?)");
  EXPECT_STREQ(error_of("processes:\n  - { progam: pci-probe }\n").what(),
               "t.yaml:2:7: unknown key 'progam' in process (did you mean 'program'?)");
  // Transposed letters are one edit.
  EXPECT_STREQ(error_of("devices:\n  - tpye: pci-test\n").what(),
               "t.yaml:2:5: unknown key 'tpye' in device (did you mean 'type'?)");
}

TEST(Errors, UnknownKeyFarFromAnyListsTheAllowedKeys) {
  EXPECT_STREQ(error_of("machine: { cpus: 1, hugepages: 4 }\n").what(),
               "t.yaml:1:21: unknown key 'hugepages' in machine (allowed keys: cpus, memory, cost)");
}

TEST(Errors, UnknownKeyIsReportedBeforeAMissingRequiredKey) {
  // 'adress' explains why 'address' is missing: say that first.
  const ScenarioError e = error_of("devices:\n  - { type: pci-test, adress: '00:02.0' }\n");
  EXPECT_EQ(e.mark().line, 2);
  EXPECT_EQ(e.mark().column, 23);
  EXPECT_NE(e.message().find("did you mean 'address'"), std::string::npos) << e.what();
}

TEST(Errors, DuplicateKey) {
  EXPECT_STREQ(error_of("seed: 1\nseed: 2\n").what(),
               "t.yaml:2:1: duplicate key 'seed' in scenario (first at 1:1)");
}

TEST(Errors, WrongTypes) {
  EXPECT_STREQ(error_of("devices:\n  type: pci-test\n").what(),
               "t.yaml:2:3: devices: expected a list, got a map");
  EXPECT_STREQ(error_of("machine: [1, 2]\n").what(),
               "t.yaml:1:10: machine: expected a map, got a list");
  EXPECT_STREQ(error_of("machine: { cpus: four }\n").what(),
               "t.yaml:1:18: machine.cpus: expected an integer (decimal or 0x hex), got 'four'");
  EXPECT_STREQ(error_of("machine: { cpus: \"4\" }\n").what(),
               "t.yaml:1:18: machine.cpus: expected an integer, got the quoted string '4' "
               "(write numbers without quotes)");
  EXPECT_STREQ(error_of("machine: { cpus: 1.5 }\n").what(),
               "t.yaml:1:18: machine.cpus: expected an integer (decimal or 0x hex), got '1.5'");
  EXPECT_STREQ(error_of("seed: -3\n").what(), "t.yaml:1:7: seed: must not be negative, got -3");
  EXPECT_STREQ(error_of("seed: !!str 3\n").what(),
               "t.yaml:1:7: seed: expected an integer, got '3' tagged !!str");
  EXPECT_EQ(load_string("seed: !!int 3\n", "t.yaml").seed, 3u);
  EXPECT_STREQ(error_of("seed: 010\n").what(),
               "t.yaml:1:7: seed: leading zeros are not allowed, got 010 (write 0x... for hex)");
  EXPECT_STREQ(error_of("scenario: { a: 1 }\n").what(),
               "t.yaml:1:11: scenario: expected a string, got a map");
  EXPECT_STREQ(error_of(one_device("    bar0_64bit: yes\n")).what(),
               "t.yaml:4:17: devices[0].bar0_64bit: expected true or false, got 'yes'");
  EXPECT_STREQ(error_of("processes:\n  - { program: pci-probe, args: --verbose }\n").what(),
               "t.yaml:2:33: processes[0].args: expected a list, got '--verbose'");
  EXPECT_STREQ(error_of("processes:\n  - { program: pci-probe, args: [a, [b]] }\n").what(),
               "t.yaml:2:37: processes[0].args[1]: expected a string, got a list");
}

TEST(Errors, NullValuesPointAtTheirKey) {
  EXPECT_STREQ(error_of("seed: 1\ndevices:\nrun: {}\n").what(),
               "t.yaml:2:1: devices: expected a list, got nothing (null) (write [] for an empty "
               "list)");
  EXPECT_STREQ(error_of("machine:\n  cpus:\n").what(),
               "t.yaml:2:3: machine.cpus: expected an integer, got nothing (null)");
}

TEST(Errors, IntegerOverflow) {
  EXPECT_STREQ(error_of("seed: 18446744073709551616\n").what(),
               "t.yaml:1:7: seed: 18446744073709551616 does not fit in 64 bits");
  EXPECT_STREQ(error_of("seed: 0x10000000000000000\n").what(),
               "t.yaml:1:7: seed: 0x10000000000000000 does not fit in 64 bits");
}

TEST(Errors, OutOfRangeValues) {
  EXPECT_STREQ(error_of("machine: { cpus: 0 }\n").what(),
               "t.yaml:1:18: machine.cpus: must be between 1 and 64, got 0");
  EXPECT_STREQ(error_of("machine: { cpus: 65 }\n").what(),
               "t.yaml:1:18: machine.cpus: must be between 1 and 64, got 65");
  EXPECT_STREQ(error_of("machine: { memory: 512KiB }\n").what(),
               "t.yaml:1:20: machine.memory: must be at least 1MiB, got 512KiB");
  EXPECT_STREQ(error_of("machine: { memory: 2TiB }\n").what(),
               "t.yaml:1:20: machine.memory: must be at most 1TiB, got 2TiB");
  EXPECT_STREQ(error_of("machine: { memory: 1000000000 }\n").what(),
               "t.yaml:1:20: machine.memory: must be a multiple of 4KiB, got 1000000000");
  EXPECT_STREQ(error_of("machine: { memory: 4KB }\n").what(),
               "t.yaml:1:20: machine.memory: expected a size such as 4096, 4KiB, 256MiB or 1GB, "
               "got '4KB'");
  EXPECT_STREQ(error_of("run: { duration: 0ms }\n").what(),
               "t.yaml:1:18: run.duration: must be more than 0, got 0ms");
  EXPECT_STREQ(error_of("run: { duration: 10 ms }\n").what(),
               "t.yaml:1:18: run.duration: expected a duration such as 500ns, 10us, 1ms or 2s, "
               "got '10 ms'");
  EXPECT_STREQ(error_of("run: { duration: 99999999s }\n").what(),
               "t.yaml:1:18: run.duration: '99999999s' does not fit in 64 bits");
}

TEST(Errors, OutOfRangeDeviceValues) {
  EXPECT_STREQ(error_of(one_device("    msi_vectors: 3\n")).what(),
               "t.yaml:4:18: devices[0].msi_vectors: must be one of 0, 1, 2, 4, 8, 16, 32, got 3");
  EXPECT_STREQ(error_of(one_device("    msix_vectors: 2049\n")).what(),
               "t.yaml:4:19: devices[0].msix_vectors: must be at most 2048, got 2049");
  EXPECT_STREQ(error_of(one_device("    bar0_size: 12KiB\n")).what(),
               "t.yaml:4:16: devices[0].bar0_size: must be a power of two from 4KiB to 1GiB, "
               "got 12KiB");
  EXPECT_STREQ(error_of(one_device("    bar0_size: 2KiB\n")).what(),
               "t.yaml:4:16: devices[0].bar0_size: must be a power of two from 4KiB to 1GiB, "
               "got 2KiB");
  EXPECT_STREQ(error_of(one_device("    bar0_size: 2GiB\n")).what(),
               "t.yaml:4:16: devices[0].bar0_size: must be a power of two from 4KiB to 1GiB, "
               "got 2GiB");
  EXPECT_STREQ(error_of(one_device("    dma_rate: 0\n")).what(),
               "t.yaml:4:15: devices[0].dma_rate: must be more than 0 bytes per second");
  EXPECT_STREQ(error_of(one_device("    dma_rate: 1GB\n")).what(),
               "t.yaml:4:15: devices[0].dma_rate: expected a rate such as 1GB/s, 500MB/s or "
               "2GiB/s, got '1GB'");
  EXPECT_STREQ(error_of(one_device("    vendor_id: 0x10000\n")).what(),
               "t.yaml:4:16: devices[0].vendor_id: must be at most 0xffff, got 0x10000");
  EXPECT_STREQ(error_of(one_device("    vendor_id: 0xffff\n")).what(),
               "t.yaml:4:16: devices[0].vendor_id: 0xffff is not a valid vendor ID (it means "
               "'no device')");
  EXPECT_STREQ(error_of(one_device("    link: { generation: 6 }\n")).what(),
               "t.yaml:4:25: devices[0].link.generation: must be between 1 and 5, got 6");
  EXPECT_STREQ(error_of(one_device("    link: { lanes: 3 }\n")).what(),
               "t.yaml:4:20: devices[0].link.lanes: must be one of 1, 2, 4, 8, 16, got 3");
  EXPECT_STREQ(error_of(one_device("    link: { max_payload: 64 }\n")).what(),
               "t.yaml:4:26: devices[0].link.max_payload: must be one of 128, 256, 512, 1024, "
               "2048, 4096, got 64");
  EXPECT_STREQ(error_of(one_device("    link: { latency: 2ms }\n")).what(),
               "t.yaml:4:22: devices[0].link.latency: must be at most 1ms, got 2ms");
}

TEST(Errors, BadAddressFormats) {
  const std::string expected =
      "devices[0].address: expected a PCI address BB:DD.F in hex, such as 00:02.0, got '";
  for (const char* bad : {"0:2.0", "00:2.0", "00:02", "00-02.0", "0000:00:02.0", "00:02.0.0",
                          "zz:02.0", "00:02.g", "2", "00:02:0"}) {
    const ScenarioError e =
        error_of(std::string("devices:\n  - type: pci-test\n    address: '") + bad + "'\n");
    EXPECT_EQ(e.message(), expected + bad + "'") << bad;
    EXPECT_EQ(e.mark().line, 3) << bad;
    EXPECT_EQ(e.mark().column, 14) << bad;
  }
}

TEST(Errors, AddressOutOfRange) {
  EXPECT_STREQ(error_of("devices:\n  - { type: pci-test, address: 00:20.0 }\n").what(),
               "t.yaml:2:32: devices[0].address: the device number must be 00 to 1f, got 20");
  EXPECT_STREQ(error_of("devices:\n  - { type: pci-test, address: 00:02.8 }\n").what(),
               "t.yaml:2:32: devices[0].address: the function number must be 0 to 7, got 8");
  EXPECT_STREQ(error_of("devices:\n  - { type: pci-test, address: 01:02.0 }\n").what(),
               "t.yaml:2:32: devices[0].address: only bus 00 is supported for now, got bus 01");
}

TEST(Errors, MissingRequiredKeys) {
  EXPECT_STREQ(error_of("devices:\n  - { type: pci-test }\n").what(),
               "t.yaml:2:5: devices[0]: missing required key 'address' in device");
  EXPECT_STREQ(error_of("devices:\n  - { address: 00:02.0 }\n").what(),
               "t.yaml:2:5: devices[0]: missing required key 'type' in device");
  EXPECT_STREQ(error_of("processes:\n  - name: probe\n").what(),
               "t.yaml:2:5: processes[0]: missing required key 'program' in process");
}

TEST(Errors, DuplicateAddress) {
  EXPECT_STREQ(error_of("devices:\n"
                        "  - { type: pci-test, name: a, address: '00:02.0' }\n"
                        "  - { type: pci-test, name: b, address: '00:02.0' }\n")
                   .what(),
               "t.yaml:3:41: devices[1].address: PCI address 00:02.0 is already used by device "
               "'a' (at 2:41)");
  // Hex digits in either case name the same address.
  EXPECT_EQ(error_of("devices:\n"
                     "  - { type: pci-test, address: '00:0a.0' }\n"
                     "  - { type: pci-test, address: '00:0A.0' }\n")
                .mark()
                .line,
            3);
}

TEST(Errors, FunctionWithoutFunctionZero) {
  EXPECT_STREQ(error_of("devices:\n"
                        "  - { type: pci-test, address: '00:02.0' }\n"
                        "  - { type: pci-test, name: lonely, address: '00:03.1' }\n")
                   .what(),
               "t.yaml:3:46: devices[1].address: device 'lonely' at 00:03.1 is function 1, but "
               "no device is at 00:03.0 (PCI requires function 0)");
}

TEST(Errors, DuplicateNames) {
  EXPECT_STREQ(error_of("devices:\n"
                        "  - { type: pci-test, name: edu, address: '00:02.0' }\n"
                        "  - { type: pci-test, name: edu, address: '00:03.0' }\n")
                   .what(),
               "t.yaml:3:29: devices[1].name: duplicate device name 'edu' (first used at 2:29)");
  // An explicit name can take a later device's default name.
  EXPECT_STREQ(error_of("devices:\n"
                        "  - { type: pci-test, name: pci-test1, address: '00:02.0' }\n"
                        "  - { type: pci-test, address: '00:03.0' }\n")
                   .what(),
               "t.yaml:3:5: devices[1]: device name 'pci-test1' (the default for this device) is "
               "already used at 2:29; give this device a 'name'");
  EXPECT_STREQ(error_of("processes:\n  - program: pci-probe\n  - program: pci-probe\n").what(),
               "t.yaml:3:5: processes[1]: process name 'pci-probe' (the default for this process) "
               "is already used at 2:5; give this process a 'name'");
  EXPECT_STREQ(error_of("processes:\n"
                        "  - { program: pci-probe, name: p }\n"
                        "  - { program: pci-probe, name: p }\n")
                   .what(),
               "t.yaml:3:33: processes[1].name: duplicate process name 'p' (first used at 2:33)");
}

TEST(Errors, BadNames) {
  EXPECT_STREQ(error_of("processes:\n  - { program: pci-probe, name: 'a b' }\n").what(),
               "t.yaml:2:33: processes[0].name: a name may hold only letters, digits, '-' and "
               "'_', got 'a b'");
  EXPECT_STREQ(error_of("processes:\n  - { program: pci-probe, name: 7up }\n").what(),
               "t.yaml:2:33: processes[0].name: a name must start with a letter, got '7up'");
  EXPECT_STREQ(error_of("processes:\n  - { program: pci-probe, name: '' }\n").what(),
               "t.yaml:2:33: processes[0].name: a name must not be empty");
}

TEST(Errors, UnknownDeviceTypeAndProgram) {
  EXPECT_STREQ(error_of("devices:\n  - { type: scsi, address: '00:02.0' }\n").what(),
               "t.yaml:2:13: devices[0].type: unknown device type 'scsi' (known types: pci-test, nvme, xhci)");
  EXPECT_STREQ(error_of("devices:\n  - { type: pci_test, address: '00:02.0' }\n").what(),
               "t.yaml:2:13: devices[0].type: unknown device type 'pci_test' (did you mean "
               "'pci-test'?)");
  EXPECT_STREQ(error_of("processes:\n  - program: floppyd\n").what(),
               "t.yaml:2:14: processes[0].program: unknown program 'floppyd' (known programs: "
               "pci-probe, pcid, testdev, echod, ringping, nvmed, xhcid, usbscsid, blockbench, nvmebad)");
  EXPECT_STREQ(error_of("processes:\n  - program: pci-prob\n").what(),
               "t.yaml:2:14: processes[0].program: unknown program 'pci-prob' (did you mean "
               "'pci-probe'?)");
}

TEST(Errors, EmptyOrNonMapTopLevel) {
  EXPECT_STREQ(error_of("").what(),
               "t.yaml:1:1: the scenario is empty; expected a map with keys such as machine, "
               "devices, processes");
  EXPECT_EQ(error_of("# only a comment\n\n").mark().line, 1);
  EXPECT_EQ(error_of("---\n").mark().column, 1);
  EXPECT_STREQ(error_of("- a\n- b\n").what(),
               "t.yaml:1:1: the top level of a scenario must be a map, got a list");
  EXPECT_STREQ(error_of("\n\nhello\n").what(),
               "t.yaml:3:1: the top level of a scenario must be a map, got 'hello'");
  EXPECT_STREQ(error_of("seed: 1\n---\nseed: 2\n").what(),
               "t.yaml:3:1: a scenario file holds one YAML document; this is a second one");
}

TEST(Errors, YamlSyntaxErrorGivesParserPosition) {
  // yaml-cpp counts from 0; the error counts from 1.
  const ScenarioError e = error_of("seed: 1\n machine: {}\n");
  EXPECT_EQ(e.mark().line, 2);
  EXPECT_EQ(e.mark().column, 9);
  EXPECT_EQ(e.message(), "illegal map value");
  EXPECT_STREQ(e.what(), "t.yaml:2:9: illegal map value");

  EXPECT_STREQ(error_of("machine:\n  cpus: 1\n memory: 1GiB\n").what(),
               "t.yaml:3:2: end of map not found");
  EXPECT_STREQ(error_of("devices: [ { type: pci-test }\n").what(),
               "t.yaml:2:1: end of sequence flow not found");
}

TEST(Errors, MissingFile) {
  const std::string path = "/nonexistent/drvsim/none.yaml";
  try {
    load_file(path);
    FAIL() << "loaded a missing file";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().file, path);
    EXPECT_EQ(e.mark().line, 0);
    EXPECT_EQ(e.mark().column, 0);
    EXPECT_EQ(std::string(e.what()), path + ": cannot open: " + std::strerror(ENOENT));
  }
}

TEST(Errors, DirectoryIsNotAScenario) {
  try {
    load_file(DRVSIM_SOURCE_DIR);
    FAIL() << "loaded a directory";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(e.mark().line, 0);
    EXPECT_EQ(e.message(), std::string("cannot open: ") + std::strerror(EISDIR));
  }
}

TEST(Errors, ErrorsInFilesNameTheFile) {
  const std::string path = std::string(DRVSIM_SOURCE_DIR) + "/tests/data/scenarios/misspelled.yaml";
  try {
    load_file(path);
    FAIL() << "loaded " << path;
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ":7:5: unknown key 'msix_vector' in device (did you mean 'msix_vectors'?)");
  }
}

}  // namespace
}  // namespace sim::scenario
