// libFuzzer: the public subscription form, as its handler reads it (SubscriptionDesk::RequestOf
// on the url-encoded body) and the desk takes it (address, channel, endpoint URL, choices,
// language), on a real SQLite store. The form token is always a valid one, so every input goes
// past the check a forger cannot: what follows is what a visitor's bytes reach.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/test_clock.h"
#include "domain/test_model.h"
#include "http/message.h"
#include "notify/desk.h"

using namespace vigie;

namespace {

struct World {
  std::string dir;
  std::unique_ptr<Store> store;
  Model model = testing::SmallModel();
  testing::ManualClock clock{FromUnix(1'700'000'000)};
  std::unique_ptr<SubscriptionDesk> desk;

  World() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigie-fuzz-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    Result<std::unique_ptr<Store>> s = OpenStore("sqlite:" + dir + "/f.db", StoreOptions{});
    if (!s.ok() || !(*s)->Migrate().ok()) __builtin_trap();
    store = std::move(*s);
    model.Index();
    // No rate limit in the way: each input is one more visitor.
    desk = std::make_unique<SubscriptionDesk>(
        *store, clock,
        SubscriptionDesk::Options{.per_address_per_hour = 1'000'000'000,
                                  .per_visitor_per_hour = 1'000'000'000});
  }
  ~World() { std::filesystem::remove_all(dir); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World w;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  SubscriptionDesk::Request r =
      SubscriptionDesk::RequestOf(http::UrlEncoded(text).All(), "fr", Lang::kFr, "192.0.2.1");
  Result<std::string> token = w.desk->FormToken();
  if (!token.ok()) __builtin_trap();
  r.form_token = *token;
  w.clock.Set(w.clock.Now() + std::chrono::seconds(3));  // as long as a person takes
  const Status st = w.desk->Subscribe(r, w.model);
  // Taken, or refused as a visitor's mistake: never a store failure or anything else.
  if (!st.ok() && st.code() != Status::Code::kInvalid) __builtin_trap();
  return 0;
}
