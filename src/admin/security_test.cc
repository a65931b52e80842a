#include "admin/security.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const Time kStart = FromUnix(1'800'000'000);

TEST(LoginThrottleTest, OnePairWaitsLongerAfterEachFailure) {
  LoginThrottle t;
  Time now = kStart;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(t.Allowed("alice", "198.51.100.7", now)) << "free failure " << i;
    t.Failed("alice", "198.51.100.7", now);
  }
  EXPECT_TRUE(t.Allowed("alice", "198.51.100.7", now));
  t.Failed("alice", "198.51.100.7", now);  // the 4th: 30 s
  EXPECT_FALSE(t.Allowed("Alice", "198.51.100.7", now + seconds(29)));
  EXPECT_TRUE(t.Allowed("alice", "198.51.100.7", now + seconds(30)));
  now += seconds(30);
  t.Failed("alice", "198.51.100.7", now);  // the 5th: 60 s
  EXPECT_FALSE(t.Allowed("alice", "198.51.100.7", now + seconds(59)));
  EXPECT_TRUE(t.Allowed("alice", "198.51.100.7", now + seconds(60)));
  // Another address is not slowed by this one's failures.
  EXPECT_TRUE(t.Allowed("alice", "203.0.113.9", now));
}

TEST(LoginThrottleTest, StrangersCannotLockOutAnAddressThatSignedInBefore) {
  LoginThrottle t;
  t.Succeeded("alice", "192.0.2.10");  // the operator's office
  // Guessers spread over many addresses reach the account-wide limit.
  for (int i = 0; i < 10; ++i) t.Failed("alice", "203.0.113." + std::to_string(i), kStart);
  EXPECT_FALSE(t.Allowed("alice", "198.51.100.1", kStart + seconds(1)));  // unknown: locked
  EXPECT_TRUE(t.Allowed("alice", "192.0.2.10", kStart + seconds(1)));     // known: not
  EXPECT_TRUE(t.Allowed("alice", "198.51.100.1", kStart + minutes(15)));  // the lock ends
}

TEST(LoginThrottleTest, OneAddressGuessingManyAccountsIsLockedOut) {
  LoginThrottle t;
  for (int i = 0; i < 20; ++i) t.Failed("user" + std::to_string(i), "203.0.113.66", kStart);
  EXPECT_FALSE(t.Allowed("someone-else", "203.0.113.66", kStart));
  EXPECT_TRUE(t.Allowed("someone-else", "203.0.113.67", kStart));
}

TEST(LoginThrottleTest, SuccessClearsThePairsDelays) {
  LoginThrottle t;
  for (int i = 0; i < 3; ++i) t.Failed("bob", "192.0.2.1", kStart);
  t.Succeeded("bob", "192.0.2.1");
  t.Failed("bob", "192.0.2.1", kStart);
  EXPECT_TRUE(t.Allowed("bob", "192.0.2.1", kStart));
}

}  // namespace
}  // namespace vigie
