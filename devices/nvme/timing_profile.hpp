// The timing profile of an NVMe controller and its flash back end. Every
// default names its source. The default class is a PCIe 3.0 x4 TLC client SSD
// of 2019-2020 (Samsung 970 EVO Plus, WD Black SN750 class); the expected and
// measured figures are in docs/devices/nvme.md. Every field is overridable.
#pragma once

#include <cstdint>

#include "sim/core/time.hpp"

namespace nvme {

struct TimingProfile {
  // --- Controller -----------------------------------------------------------
  /// Embedded cores that run the per-command firmware path in parallel.
  /// Client controllers (Samsung Phoenix, WD in-house) have 4-5 ARM cores,
  /// about 3 of which run the I/O path.
  unsigned controller_cores = 3;
  /// Firmware time per I/O command (decode, FTL lookup, DMA set-up,
  /// completion). 3 cores x 5 us cap random IOPS at 600k, the QD32 x 4
  /// figure of the class (Samsung 970 EVO Plus 1 TB datasheet: 600k; WD
  /// SN750 1 TB: 515k). At QD32 on one queue the dies limit first.
  sim::Picos io_command_overhead = sim::us(5);
  /// Firmware time per admin command (admin commands are slow-path).
  sim::Picos admin_command_overhead = sim::us(10);
  /// SQEs fetched by one PCIe read (a 512-byte read request, the default
  /// Max_Read_Request_Size).
  unsigned max_fetch_batch = 8;
  /// CC.EN 0->1 until CSTS.RDY = 1. CAP.TO is derived from it (rounded up to
  /// 500 ms units, at least 1). Real drives take 10s of ms; 1 ms keeps
  /// simulated boots short and is still far above any command latency.
  sim::Picos enable_latency = sim::ms(1);
  /// CC.EN 1->0 until CSTS.RDY = 0 (controller reset, §7.3.2).
  sim::Picos reset_latency = sim::us(100);
  /// CC.SHN set until CSTS.SHST = complete, on top of draining the write buffer.
  sim::Picos shutdown_latency = sim::us(500);
  /// Write Zeroes and Dataset Management (deallocate): FTL map updates only.
  sim::Picos deallocate_latency = sim::us(5);

  // --- Flash back end -------------------------------------------------------
  /// 8 channels x 4 dies = 32 TLC dies (a 1 TB drive built of 256 Gbit dies;
  /// Samsung Phoenix and WD SN750 controllers have 8 NAND channels).
  unsigned channels = 8;
  unsigned dies_per_channel = 4;
  /// Planes per die that read independently (independent multi-plane read,
  /// as 96-layer TLC dies offer: Micron B27B, Samsung V5 "AIPR"). A program
  /// uses the whole die.
  unsigned planes_per_die = 2;
  /// Flash page: 16 KiB on 64-96 layer TLC (Micron B27A, Samsung V5).
  std::uint32_t page_bytes = 16 * 1024;
  /// One TLC one-shot program writes 3 pages (lower, middle, upper) at once.
  std::uint32_t program_unit_bytes = 48 * 1024;
  /// tR, page read to the die's page register: 45-90 us on 64-96 layer TLC
  /// (Samsung V-NAND v5 datasheet class: ~50-60 us; Micron 96L: ~60-80 us).
  sim::Picos read_latency = sim::us(60);
  /// tPROG for one TLC one-shot program: 500 us - 1 ms (ISSCC 2018-2019 TLC
  /// papers report 500-700 us; 800 us here includes the program-verify tail).
  sim::Picos program_latency = sim::us(800);
  /// Channel (ONFI 4.0 NV-DDR3 / Toggle 3.0) at 800 MT/s on an 8-bit bus.
  std::uint64_t channel_bytes_per_second = 800'000'000;
  /// DRAM write buffer that hides tPROG until it fills (writes complete when
  /// their data is in the buffer). Client drives put 512 MiB-1 GiB of DRAM
  /// per TB mostly to the FTL map; 64 MiB models the part used for writes.
  /// The multi-GB SLC cache of real drives is not modelled.
  std::uint64_t write_buffer_bytes = 64ULL << 20;
};

}  // namespace nvme
