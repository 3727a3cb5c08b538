// Get Features and Set Features (§5.21). Supported: Arbitration (01h), Power
// Management (02h), Temperature Threshold (04h), Error Recovery (05h),
// Volatile Write Cache (06h), Number of Queues (07h), Interrupt Coalescing
// (08h), Interrupt Vector Configuration (09h), Write Atomicity Normal (0Ah),
// Asynchronous Event Configuration (0Bh). None is saveable or namespace
// specific; all are changeable.
#include "devices/nvme/controller.hpp"

namespace nvme {

namespace {
constexpr unsigned kSelCurrent = 0, kSelSupported = 3;  // 1 default, 2 saved (= default here)
constexpr std::uint32_t kCapChangeable = 1u << 2;  // Get Features SEL 011b: bit 2 changeable
}  // namespace

Status NvmeController::set_features(Command& c) {
  const Sqe& s = c.sqe;
  const std::uint8_t fid = s.cdw10 & 0xFF;
  const std::uint32_t v = s.cdw11;
  if (s.cdw10 & (1u << 31)) return kFeatureNotSaveable;  // SV
  if (s.nsid != 0 && s.nsid != kBroadcastNsid) return kFeatureNotNamespaceSpecific;
  switch (fid) {
    case feature::kArbitration: features_.arbitration = v; break;
    case feature::kPowerManagement:
      if ((v & 0x1F) != 0) return kInvalidField;  // PS beyond NPSS (one power state)
      features_.power_management = v & 0xFF;
      break;
    case feature::kTemperatureThreshold: {
      const std::uint32_t tmpsel = (v >> 16) & 0xF, thsel = (v >> 20) & 0x3;
      if (tmpsel != 0 || thsel > 1) return kInvalidField;  // only the Composite Temperature
      (thsel == 0 ? features_.temp_over : features_.temp_under) = static_cast<std::uint16_t>(v & 0xFFFF);
      break;
    }
    case feature::kErrorRecovery:
      if (v & (1u << 16)) return kInvalidField;  // DULBE needs NSFEAT bit 2
      features_.error_recovery = v & 0xFFFF;
      break;
    case feature::kVolatileWriteCache:
      if (!p_.volatile_write_cache) return kInvalidField;  // Identify VWC.present = 0
      if (features_.volatile_write_cache && !(v & 1))
        for (const auto& ns : namespaces_)  // turning the cache off commits what it holds
          if (!ns->flush()) return kWriteFault;
      features_.volatile_write_cache = v & 1;
      break;
    case feature::kNumberOfQueues: {
      const std::uint32_t nsqr = v & 0xFFFF, ncqr = v >> 16;
      if (nsqr == 0xFFFF || ncqr == 0xFFFF) return kInvalidField;
      for (std::size_t q = 1; q < sqs_.size(); ++q)
        if (sqs_[q] || cqs_[q]) return kCommandSequenceError;  // §5.21.1.7: only before I/O queues exist
      features_.nsqa = static_cast<std::uint16_t>(std::min(nsqr + 1, p_.max_io_queues));
      features_.ncqa = static_cast<std::uint16_t>(std::min(ncqr + 1, p_.max_io_queues));
      c.dw0 = std::uint32_t{features_.ncqa - 1u} << 16 | (features_.nsqa - 1u);
      break;
    }
    case feature::kInterruptCoalescing:
      coalescer_.configure(static_cast<std::uint8_t>(v & 0xFF), static_cast<std::uint8_t>((v >> 8) & 0xFF));
      break;
    case feature::kInterruptVectorConfig: {
      const std::uint32_t iv = v & 0xFFFF;
      if (iv >= p_.msix_vectors) return kInvalidField;
      coalescer_.set_disabled(iv, v & (1u << 16));
      break;
    }
    case feature::kWriteAtomicityNormal: features_.write_atomicity = v & 1; break;
    case feature::kAsyncEventConfig: features_.async_event_config = v & 0x3FF; break;
    default: return kInvalidField;
  }
  return kSuccess;
}

Status NvmeController::get_features(Command& c) {
  const Sqe& s = c.sqe;
  const std::uint8_t fid = s.cdw10 & 0xFF;
  const unsigned sel = (s.cdw10 >> 8) & 0x7;
  if (sel > kSelSupported) return kInvalidField;
  const bool current = sel == kSelCurrent;  // saved == default: nothing is saveable
  std::uint32_t dw0 = 0;
  switch (fid) {
    case feature::kArbitration: dw0 = current ? features_.arbitration : FeatureState{}.arbitration; break;
    case feature::kPowerManagement: dw0 = current ? features_.power_management : 0; break;
    case feature::kTemperatureThreshold: {
      const std::uint32_t tmpsel = (s.cdw11 >> 16) & 0xF, thsel = (s.cdw11 >> 20) & 0x3;
      if (tmpsel != 0 || thsel > 1) return kInvalidField;
      const FeatureState& f = current ? features_ : FeatureState{};
      dw0 = thsel == 0 ? f.temp_over : f.temp_under;
      break;
    }
    case feature::kErrorRecovery: dw0 = current ? features_.error_recovery : 0; break;
    case feature::kVolatileWriteCache:
      if (!p_.volatile_write_cache) return kInvalidField;
      dw0 = current ? features_.volatile_write_cache : 1;
      break;
    case feature::kNumberOfQueues: {
      const std::uint32_t sq = current ? features_.nsqa : p_.max_io_queues;
      const std::uint32_t cq = current ? features_.ncqa : p_.max_io_queues;
      dw0 = (cq - 1) << 16 | (sq - 1);
      break;
    }
    case feature::kInterruptCoalescing:
      dw0 = current ? std::uint32_t{coalescer_.time()} << 8 | coalescer_.threshold() : 0;
      break;
    case feature::kInterruptVectorConfig: {
      const std::uint32_t iv = s.cdw11 & 0xFFFF;
      if (iv >= p_.msix_vectors) return kInvalidField;
      dw0 = iv | (current && coalescer_.disabled(iv) ? 1u << 16 : 0);
      break;
    }
    case feature::kWriteAtomicityNormal: dw0 = current ? features_.write_atomicity : 0; break;
    case feature::kAsyncEventConfig: dw0 = current ? features_.async_event_config : 0; break;
    default: return kInvalidField;
  }
  c.dw0 = sel == kSelSupported ? kCapChangeable : dw0;
  return kSuccess;
}

}  // namespace nvme
