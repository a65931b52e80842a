#include "domain/shared_vector.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace vigie {
namespace {

struct Item {
  int key = 0;  // the order
  int id = 0;   // which one
  bool operator==(const Item&) const = default;
};

bool KeyBefore(const Item& a, const Item& b) { return a.key < b.key; }

constexpr size_t kChunk = SharedVector<Item>::kChunk;

std::vector<Item> Values(const SharedVector<Item>& v) { return {v.begin(), v.end()}; }

SharedVector<Item> Numbered(size_t n, int step = 2) {
  SharedVector<Item> v;
  for (size_t i = 0; i < n; ++i) v.push_back({static_cast<int>(i) * step, static_cast<int>(i)});
  return v;
}

TEST(SharedVectorTest, ACopySharesEveryElementAndAWriteCopiesOnlyTheOneWritten) {
  const SharedVector<Item> original = Numbered(3 * kChunk + 7);
  SharedVector<Item> copy = original;
  ASSERT_TRUE(copy.SameElements(original));
  copy[kChunk + 3].id = -1;  // one element of the second chunk
  EXPECT_EQ(original[kChunk + 3].id, static_cast<int>(kChunk) + 3);  // the original is untouched
  EXPECT_EQ(copy[kChunk + 3].id, -1);
  EXPECT_FALSE(copy.SameElements(original));
  for (size_t i = 0; i < original.size(); ++i) {
    if (i != kChunk + 3) {
      EXPECT_EQ(copy.shared(i).get(), original.shared(i).get()) << i;
    }
  }
}

TEST(SharedVectorTest, AppendingToACopyLeavesTheOriginalAsItWas) {
  const SharedVector<Item> original = Numbered(kChunk - 1);
  SharedVector<Item> copy = original;
  copy.push_back({100000, 1});
  copy.push_back({100001, 2});  // the second lands in a new chunk
  EXPECT_EQ(original.size(), kChunk - 1);
  EXPECT_EQ(copy.size(), kChunk + 1);
  EXPECT_EQ(copy.back().id, 2);
  EXPECT_EQ(original.back().id, static_cast<int>(kChunk) - 2);
  copy.pop_back();
  copy.pop_back();
  EXPECT_TRUE(copy.SameElements(original));
}

// Every change checked against a std::vector doing the same, on a vector whose copy must stay
// as it was.
TEST(SharedVectorTest, ChangesInTheMiddleMatchAPlainVectorAndLeaveCopiesAlone) {
  std::mt19937 random(7);
  SharedVector<Item> v = Numbered(5 * kChunk + 100, 4);
  std::vector<Item> plain = Values(v);
  int next_id = 100000;
  for (int round = 0; round < 200; ++round) {
    const SharedVector<Item> before = v;
    const std::vector<Item> plain_before = plain;
    switch (random() % 5) {
      case 0: {  // merge sorted items in, ties after ours
        std::vector<Item> more;
        for (int k = 0, n = 1 + static_cast<int>(random() % 40); k < n; ++k) {
          more.push_back({static_cast<int>(random() % 30000), next_id++});
        }
        std::stable_sort(more.begin(), more.end(), KeyBefore);
        SharedVector<Item> shared_more;
        for (const Item& m : more) shared_more.push_back(m);
        v.MergeIn(shared_more, KeyBefore);
        std::vector<Item> merged;
        std::merge(plain.begin(), plain.end(), more.begin(), more.end(), std::back_inserter(merged),
                   KeyBefore);
        plain = merged;
        break;
      }
      case 1: {  // erase scattered positions
        std::vector<size_t> at;
        for (size_t i = random() % plain.size(); i < plain.size(); i += 1 + random() % 900) {
          at.push_back(i);
        }
        v.EraseAt(at);
        for (auto it = at.rbegin(); it != at.rend(); ++it) plain.erase(plain.begin() + *it);
        break;
      }
      case 2: {  // erase a range
        const size_t a = random() % plain.size();
        const size_t b = std::min(plain.size(), a + random() % 700);
        v.erase(v.begin() + a, v.begin() + b);
        plain.erase(plain.begin() + a, plain.begin() + b);
        break;
      }
      case 3: {  // append, or drop the last ones
        if (random() % 2) {
          for (int k = 0; k < 300; ++k) {
            const Item item{plain.empty() ? 0 : plain.back().key + 1, next_id++};
            v.push_back(item);
            plain.push_back(item);
          }
        } else {
          for (int k = 0; k < 300 && !plain.empty(); ++k) {
            v.pop_back();
            plain.pop_back();
          }
        }
        break;
      }
      case 4: {  // write one element, then sort again
        const size_t i = random() % plain.size();
        v[i].key = static_cast<int>(random() % 30000);
        plain[i].key = v[i].key;
        v.StableSort(KeyBefore);
        std::stable_sort(plain.begin(), plain.end(), KeyBefore);
        break;
      }
    }
    ASSERT_EQ(Values(v), plain) << "round " << round;
    ASSERT_EQ(v.size(), plain.size());
    ASSERT_EQ(Values(before), plain_before) << "round " << round << ": a copy changed";
    if (plain.size() < 2 * kChunk) {  // keep it large enough to span chunks
      for (int k = 0; k < 1000; ++k) {
        const Item item{plain.empty() ? 0 : plain.back().key + 1, next_id++};
        v.push_back(item);
        plain.push_back(item);
      }
    }
  }
}

TEST(SharedVectorTest, MergingInBeforeTheEndSharesTheChunksBefore) {
  const SharedVector<Item> original = Numbered(4 * kChunk);  // keys 0, 2, 4, ...
  SharedVector<Item> v = original;
  SharedVector<Item> more;
  more.push_back({static_cast<int>(3 * kChunk) * 2 + 1, -1});  // lands in the last chunk
  v.MergeIn(more, KeyBefore);
  ASSERT_EQ(v.size(), 4 * kChunk + 1);
  EXPECT_EQ(v[3 * kChunk + 1].id, -1);
  EXPECT_EQ(v.shared(0).get(), original.shared(0).get());
  for (size_t i = 0; i <= 3 * kChunk; ++i) {
    EXPECT_EQ(v.shared(i).get(), original.shared(i).get()) << i;
  }
}

TEST(SharedVectorTest, EqualityComparesValuesAndSameElementsComparesIdentity) {
  const SharedVector<Item> a = Numbered(kChunk + 1);
  const SharedVector<Item> b = Numbered(kChunk + 1);
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a.SameElements(b));
  SharedVector<Item> c = a;
  c.EraseAt({});
  EXPECT_TRUE(c.SameElements(a));
  c.EraseAt({0});
  EXPECT_FALSE(c == a);
}

}  // namespace
}  // namespace vigie
