#include "domain/append_vector.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace vigie {
namespace append_vector_test {

struct Item {
  int key = 0;      // the order
  int id = 0;       // which one
  std::string tag;  // owns memory, so a lost or doubled destruction shows under ASan
  bool operator==(const Item&) const = default;
};

bool KeyBefore(const Item& a, const Item& b) { return a.key < b.key; }

constexpr size_t kChunk = AppendVector<Item>::kChunk;

Item Make(int key, int id) { return {key, id, "item number " + std::to_string(id) + " of many"}; }

std::vector<Item> Values(const AppendVector<Item>& v) { return {v.begin(), v.end()}; }

AppendVector<Item> Numbered(size_t n, int step = 2) {
  AppendVector<Item> v;
  for (size_t i = 0; i < n; ++i) v.push_back(Make(static_cast<int>(i) * step, static_cast<int>(i)));
  return v;
}

TEST(AppendVectorTest, ACopySharesItsBlocksAndAppendingToItWritesInPlace) {
  const AppendVector<Item> original = Numbered(2 * kChunk + 7);
  AppendVector<Item> copy = original;
  for (size_t i = 0; i < original.size(); ++i) ASSERT_EQ(&copy[i], &original[i]) << i;
  copy.push_back(Make(100000, -1));  // into the shared last block, past the original's end
  EXPECT_EQ(original.size(), 2 * kChunk + 7);
  EXPECT_EQ(copy.size(), 2 * kChunk + 8);
  EXPECT_EQ(&copy[2 * kChunk + 6], &original[2 * kChunk + 6]);  // still the same objects
  EXPECT_EQ(copy.back().id, -1);
  EXPECT_EQ(original.back().id, static_cast<int>(2 * kChunk) + 6);
}

TEST(AppendVectorTest, AppendingToACopyWhoseBlockAnotherCopyWrotePastCopiesThatBlock) {
  const AppendVector<Item> original = Numbered(kChunk + 3);
  AppendVector<Item> first = original, second = original;
  first.push_back(Make(5000, -1));   // in place
  second.push_back(Make(6000, -2));  // slot taken by `first`: the last block is copied
  EXPECT_EQ(first.back().id, -1);
  EXPECT_EQ(second.back().id, -2);
  EXPECT_EQ(&first[kChunk + 2], &original[kChunk + 2]);
  EXPECT_NE(&second[kChunk + 2], &original[kChunk + 2]);
  EXPECT_EQ(second[kChunk + 2], original[kChunk + 2]);    // a copy of the same value
  EXPECT_EQ(&second[kChunk - 1], &original[kChunk - 1]);  // earlier blocks still shared
  // Appending to the original now copies too: both copies wrote past its end.
  AppendVector<Item> third = original;
  third.push_back(Make(7000, -3));
  EXPECT_EQ(Values(first).back().id, -1);
  EXPECT_EQ(Values(second).back().id, -2);
  EXPECT_EQ(Values(third).back().id, -3);
  EXPECT_EQ(original.size(), kChunk + 3);
}

// Every change checked against a std::vector doing the same, on a vector whose copy must stay
// as it was.
TEST(AppendVectorTest, MergesAndSortsMatchAPlainVectorAndLeaveCopiesAlone) {
  std::mt19937 random(7);
  AppendVector<Item> v = Numbered(3 * kChunk + 11, 10);
  std::vector<Item> expected = Values(v);
  int next_id = 100000;
  for (int round = 0; round < 40; ++round) {
    const AppendVector<Item> before = v;
    const std::vector<Item> before_values = Values(before);
    AppendVector<Item> more;
    const int count = 1 + static_cast<int>(random() % 20);
    const int start = static_cast<int>(random() % (40 * kChunk));
    for (int i = 0; i < count; ++i) more.push_back(Make(start + 3 * i, next_id++));
    v.MergeIn(more, KeyBefore);
    for (const Item& x : more) {
      expected.insert(std::upper_bound(expected.begin(), expected.end(), x, KeyBefore), x);
    }
    ASSERT_EQ(Values(v), expected) << round;
    ASSERT_EQ(Values(before), before_values) << round;
  }
  AppendVector<Item> shuffled;
  std::vector<Item> plain = expected;
  std::shuffle(plain.begin(), plain.end(), random);
  for (const Item& x : plain) shuffled.push_back(x);
  const AppendVector<Item> unsorted = shuffled;
  shuffled.StableSort(KeyBefore);
  std::stable_sort(plain.begin(), plain.end(), KeyBefore);
  EXPECT_EQ(Values(shuffled), plain);
  EXPECT_NE(Values(unsorted), plain);
}

// Readers of a published copy while the writer appends to the next one (the Publisher and the
// requests): run under ThreadSanitizer or ASan, a shared slot written twice would show.
TEST(AppendVectorTest, ReadersOfACopyAreNotDisturbedByAppendsToAnother) {
  AppendVector<Item> v = Numbered(kChunk / 2);
  const AppendVector<Item> published = v;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      int sum = 0;
      for (const Item& x : published) sum += x.id;
      ASSERT_EQ(sum, static_cast<int>((kChunk / 2) * (kChunk / 2 - 1) / 2));
    }
  });
  for (int i = 0; i < static_cast<int>(3 * kChunk); ++i) v.push_back(Make(100000 + i, i));
  stop = true;
  reader.join();
  EXPECT_EQ(v.size(), kChunk / 2 + 3 * kChunk);
  EXPECT_EQ(published.size(), kChunk / 2);
}

}  // namespace append_vector_test
}  // namespace vigie
