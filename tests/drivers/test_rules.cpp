// pcid's match rules: the grammar, errors, defaults, first match wins.
#include <gtest/gtest.h>

#include "drivers/pcid/rules.hpp"

namespace {

pcid::Function function(std::uint16_t vendor, std::uint16_t device, std::uint8_t c, std::uint8_t s, std::uint8_t p) {
  pcid::Function f;
  f.vendor_id = vendor;
  f.device_id = device;
  f.class_code = c;
  f.subclass = s;
  f.prog_if = p;
  return f;
}

TEST(PcidRules, ParsesClassRule) {
  const pcid::MatchRule r = pcid::parse_rule("class=01 subclass=08 prog_if=02 -> nvmed").value();
  EXPECT_EQ(r.class_code, 0x01);
  EXPECT_EQ(r.subclass, 0x08);
  EXPECT_EQ(r.prog_if, 0x02);
  EXPECT_FALSE(r.vendor_id);
  EXPECT_FALSE(r.device_id);
  EXPECT_EQ(r.program, "nvmed");
  EXPECT_TRUE(r.args.empty());
  EXPECT_TRUE(r.matches(function(0x1B36, 0x10, 0x01, 0x08, 0x02)));
  EXPECT_FALSE(r.matches(function(0x1B36, 0x10, 0x01, 0x08, 0x03)));
  EXPECT_FALSE(r.matches(function(0x1B36, 0x10, 0x01, 0x06, 0x02)));
}

TEST(PcidRules, ParsesVendorDeviceWithArgsAndSpellings) {
  const pcid::MatchRule r = pcid::parse_rule("vendor=0x1234 device=0xD51F -> testdev --copies 4").value();
  EXPECT_EQ(r.vendor_id, 0x1234);
  EXPECT_EQ(r.device_id, 0xD51F);
  EXPECT_EQ(r.program, "testdev");
  EXPECT_EQ(r.args, (std::vector<std::string>{"--copies", "4"}));
  EXPECT_TRUE(r.matches(function(0x1234, 0xD51F, 0xFF, 0, 0)));
  EXPECT_FALSE(r.matches(function(0x1234, 0xD51E, 0xFF, 0, 0)));
  // "interface" is the TOML's name for prog_if; blanks and tabs separate words; "->" needs no blanks.
  const pcid::MatchRule t = pcid::parse_rule("\tclass=0C  interface=30->xhcid  -v ").value();
  EXPECT_EQ(t.prog_if, 0x30);
  EXPECT_EQ(t.class_code, 0x0C);
  EXPECT_EQ(t.program, "xhcid");
  EXPECT_EQ(t.args, (std::vector<std::string>{"-v"}));
}

TEST(PcidRules, RejectsBadRules) {
  const char* bad[] = {
      "",                               // nothing
      "class=01 nvmed",                 // no arrow
      "-> nvmed",                       // no condition
      "class=01 ->",                    // no program
      "class=01 ->   ",                 // no program
      "klass=01 -> nvmed",              // unknown key
      "class -> nvmed",                 // no '='
      "=01 -> nvmed",                   // no key
      "class= -> nvmed",                // no value
      "class=0x -> nvmed",              // prefix only
      "class=zz -> nvmed",              // not hex
      "class=1g -> nvmed",              // trailing junk
      "class=-1 -> nvmed",              // negative
      "class=100 -> nvmed",             // above 0xff
      "vendor=10000 -> nvmed",          // above 0xffff
      "class=01 class=01 -> nvmed",     // twice
      "prog_if=1 interface=1 -> x",     // the same key twice under two names
      "class=01 -> nv/med",             // not a program name
      "class=01 -> -> nvmed",           // not a program name
      "vendor=ffffffffffffffffff -> x"  // out of range
  };
  for (const char* text : bad) {
    const hal::Result<pcid::MatchRule> r = pcid::parse_rule(text);
    EXPECT_FALSE(r) << "accepted: '" << text << "'";
    if (!r) {
      EXPECT_TRUE(r.error().is(hal::errc::inval)) << text;
    }
  }
}

TEST(PcidRules, ParseRulesNamesTheBadRuleAndSkipsBlankArgs) {
  const auto ok = pcid::parse_rules({"class=01 -> nvmed", "  ", "vendor=1234 -> testdev"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->size(), 2u);
  const auto bad = pcid::parse_rules({"class=01 -> nvmed", "class=zz -> x"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().context().find("rule 2 'class=zz -> x'"), std::string::npos) << bad.error().context();
  EXPECT_NE(bad.error().context().find("not a hexadecimal number"), std::string::npos) << bad.error().context();
}

TEST(PcidRules, DefaultsMatchNvmeXhciAndPciTest) {
  const std::vector<pcid::MatchRule> rules = pcid::default_rules();
  const auto program = [&](const pcid::Function& f) -> std::string {
    const pcid::MatchRule* r = pcid::find_rule(rules, f);
    return r ? r->program : "";
  };
  EXPECT_EQ(program(function(0x8086, 0xF1A5, 0x01, 0x08, 0x02)), "nvmed");
  EXPECT_EQ(program(function(0x8086, 0xF1A5, 0x01, 0x08, 0x01)), "nvmed");  // any NVM controller interface
  EXPECT_EQ(program(function(0x1B36, 0x000D, 0x0C, 0x03, 0x30)), "xhcid");
  EXPECT_EQ(program(function(0x1B36, 0x000D, 0x0C, 0x03, 0x20)), "");  // EHCI: no driver
  EXPECT_EQ(program(function(0x1234, 0xD51F, 0xFF, 0x00, 0x00)), "testdev");
  EXPECT_EQ(program(function(0x1234, 0x1111, 0xFF, 0x00, 0x00)), "");
}

TEST(PcidRules, FirstMatchWins) {
  const auto rules = pcid::parse_rules({"vendor=1234 device=d51f -> special", "class=ff -> generic"}).value();
  EXPECT_EQ(pcid::find_rule(rules, function(0x1234, 0xD51F, 0xFF, 0, 0))->program, "special");
  EXPECT_EQ(pcid::find_rule(rules, function(0x1234, 0x0001, 0xFF, 0, 0))->program, "generic");
  EXPECT_EQ(pcid::find_rule(rules, function(0x1234, 0x0001, 0x01, 0, 0)), nullptr);
}

}  // namespace
