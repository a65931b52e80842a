// The notification layer's pure parts (signed links, mail encoding, who follows what) and the
// subscription desk on a real SQLite store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/test_clock.h"
#include "notify/chat.h"
#include "notify/desk.h"
#include "notify/links.h"
#include "notify/mail.h"
#include "notify/sender.h"
#include "notify/webhook.h"
#include "store/test_store.h"

namespace vigie {
namespace {

using testing::ManualClock;

Subscriber Alice() {
  Subscriber s;
  s.id = 7;
  s.email = "Alice@example.com";
  s.region = "fr";
  s.created_at = FromUnix(1'000);
  return s;
}

TEST(Links, ASignedLinkOpensOnlyItsSubscriberAndAConfirmationExpires) {
  const LinkSigner signer(std::string(32, 'k'));
  const Subscriber alice = Alice();
  const std::string manage = signer.Manage(alice);
  EXPECT_TRUE(signer.Verify(manage, alice, FromUnix(10'000'000)).ok());
  // The address compares in any case; another subscriber, or the same address subscribed
  // again later (a new creation time), is not opened.
  Subscriber upper = alice;
  upper.email = "ALICE@EXAMPLE.COM";
  EXPECT_TRUE(signer.Verify(manage, upper, FromUnix(0)).ok());
  Subscriber later = alice;
  later.created_at = FromUnix(2'000);
  EXPECT_EQ(signer.Verify(manage, later, FromUnix(0)).code(), Status::Code::kPermissionDenied);
  Subscriber bob = alice;
  bob.email = "bob@example.com";
  EXPECT_FALSE(signer.Verify(manage, bob, FromUnix(0)).ok());
  // Another key, a changed character, a truncated link: refused.
  EXPECT_FALSE(LinkSigner(std::string(32, 'x')).Verify(manage, alice, FromUnix(0)).ok());
  std::string tampered = manage;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(signer.Verify(tampered, alice, FromUnix(0)).ok());
  EXPECT_FALSE(signer.Verify(manage.substr(0, manage.size() - 3), alice, FromUnix(0)).ok());
  EXPECT_FALSE(LinkSigner::Parse("m.7").ok());
  EXPECT_FALSE(LinkSigner::Parse("x.7.abc").ok());
  EXPECT_FALSE(LinkSigner::Parse("m.-7.abc").ok());
  // A confirmation link works until it expires.
  const std::string confirm = signer.Confirm(alice, FromUnix(5'000));
  EXPECT_TRUE(signer.Verify(confirm, alice, FromUnix(5'000)).ok());
  const Status expired = signer.Verify(confirm, alice, FromUnix(5'001));
  EXPECT_EQ(expired.code(), Status::Code::kPermissionDenied);
  EXPECT_NE(expired.message().find("expired"), std::string::npos);
  // Its expiry cannot be moved: it is signed.
  std::string moved = confirm;
  moved.replace(moved.find("5000"), 4, "9999");
  EXPECT_FALSE(signer.Verify(moved, alice, FromUnix(5'001)).ok());
}

TEST(Links, AFormTokenIsAcceptedFromItsMinimumAgeToTwoHours) {
  const LinkSigner signer(std::string(32, 'k'));
  const std::string t = signer.FormToken(FromUnix(1'000));
  EXPECT_FALSE(signer.CheckFormToken(t, FromUnix(1'001), std::chrono::seconds(2)));
  EXPECT_TRUE(signer.CheckFormToken(t, FromUnix(1'002), std::chrono::seconds(2)));
  EXPECT_TRUE(signer.CheckFormToken(t, FromUnix(1'000 + 7'200), std::chrono::seconds(2)));
  EXPECT_FALSE(signer.CheckFormToken(t, FromUnix(1'001 + 7'200), std::chrono::seconds(2)));
  EXPECT_FALSE(signer.CheckFormToken("f.1000.forged", FromUnix(2'000), std::chrono::seconds(0)));
  EXPECT_FALSE(LinkSigner(std::string(32, 'x')).CheckFormToken(t, FromUnix(2'000), {}));
}

TEST(Mail, HeadersAreEncodedAndCannotBeInjected) {
  EXPECT_EQ(EncodeHeader("Plain subject"), "Plain subject");
  EXPECT_EQ(EncodeHeader("Panne résolue"), "=?UTF-8?B?UGFubmUgcsOpc29sdWU=?=");
  // Long words are folded between characters, never inside one.
  const std::string folded = EncodeHeader(std::string(40, 'a') + "é" + std::string(40, 'b'));
  EXPECT_NE(folded.find("\r\n =?UTF-8?B?"), std::string::npos);
  // Bytes that are not UTF-8 are cut anywhere, never looped on; every encoded line fits.
  const std::string broken = EncodeHeader("\xC3" + std::string(100, '\x80'));
  EXPECT_NE(broken.find("=?UTF-8?B?"), std::string::npos);
  for (size_t start = 0, end; start < broken.size(); start = end + 3) {
    end = broken.find("\r\n ", start);
    if (end == std::string::npos) end = broken.size();
    EXPECT_LE(end - start + 9, 76u);  // with "Subject: " before the first
  }
  // ASCII that a mail client would decode is encoded; a long ASCII subject is folded at spaces.
  EXPECT_EQ(EncodeHeader("=?UTF-8?B?QQ==?="), "=?UTF-8?B?PT9VVEYtOD9CP1FRPT0/PQ==?=");
  const std::string long_ascii = EncodeHeader(std::string(60, 'a') + " " + std::string(30, 'b'));
  EXPECT_EQ(long_ascii, std::string(60, 'a') + "\r\n " + std::string(30, 'b'));
  // A newline in a subject cannot start a header of its own.
  EXPECT_EQ(EncodeHeader("a\r\nBcc: x@evil.example"), "a  Bcc: x@evil.example");
  MailMessage m;
  m.from = "Statut \"Divalto\" <status@example.com>";
  m.to = "alice@example.com";
  m.subject = "[Weavy] Incident : lenteurs\nBcc: x@evil.example";
  m.text = "Bonjour,\n.\nUne ligne très longue " + std::string(100, 'x') + "\n";
  m.html = "<p>été</p>";
  m.message_id = "<vigie.1.2@example.com>";
  m.list_id = "<fr.status.example.com>";
  m.unsubscribe = "https://status.example.com/unsubscribe?t=m.2.abc";
  m.date = FromUnix(1'700'000'000);
  const std::string mime = ComposeMime(m);
  EXPECT_NE(mime.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos);
  EXPECT_NE(mime.find("From: \"Statut \\\"Divalto\\\"\" <status@example.com>\r\n"),
            std::string::npos);
  EXPECT_NE(mime.find("List-Unsubscribe: <https://status.example.com/unsubscribe?t=m.2.abc>\r\n"),
            std::string::npos);
  EXPECT_NE(mime.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
  EXPECT_EQ(mime.find("\nBcc:"), std::string::npos);
  EXPECT_NE(mime.find("Content-Type: multipart/alternative;\r\n boundary="), std::string::npos);
  // 7-bit, CRLF only, no line over 78 characters but the unsubscribe address (a URL is not
  // folded; RFC 5322's limit is 998).
  size_t start = 0;
  for (size_t i = 0; i < mime.size(); ++i) {
    ASSERT_LT(static_cast<unsigned char>(mime[i]), 0x80);
    if (mime[i] != '\n') continue;
    ASSERT_GT(i, 0u);
    ASSERT_EQ(mime[i - 1], '\r');
    const std::string line = mime.substr(start, i - 1 - start);
    if (line.rfind("List-Unsubscribe:", 0) != 0) {
      EXPECT_LE(line.size(), 78u) << line;
    }
    start = i + 1;
  }
  EXPECT_EQ(QuotedPrintable("é = 1 \nfin"), "=C3=A9 =3D 1=20\r\nfin");
  EXPECT_EQ(AddressOf("Statut <status@example.com>"), "status@example.com");
  EXPECT_EQ(AddressOf("status@example.com"), "status@example.com");
}

TEST(Subscriptions, WhoFollowsWhat) {
  Model m = testing::SmallModel();
  m.Index();
  const int64_t s1 = m.FindService("erp", "s1")->id, s2 = m.FindService("erp", "s2")->id;
  Event e = testing::MakeEvent(40, EventKind::kIncident, {"fr"}, {{s1, Level::kMajor}}, 0, -1);
  m.events.push_back(e);
  m.messages.push_back(Message{5, "erp", {"fr"}, {"t", "t"}, {"b", "b"}, FromUnix(0), {}});
  m.messages.push_back(Message{6, "", {"fr", "na"}, {"t", "t"}, {"b", "b"}, FromUnix(0), {}});
  m.Index();
  Subscriber s = Alice();
  s.confirmed_at = FromUnix(2'000);
  const Notice on_event{1, NoticeKind::kEventUpdated, FromUnix(3'000), "erp", 40, 0, 0, 0};
  s.subscriptions = {{"erp", Topic::kService, s2}};
  EXPECT_FALSE(Follows(s, on_event, m));
  s.subscriptions = {{"erp", Topic::kService, s1}};
  EXPECT_TRUE(Follows(s, on_event, m));
  s.subscriptions = {{"erp", Topic::kEvent, 40}};
  EXPECT_TRUE(Follows(s, on_event, m));
  s.subscriptions = {{"erp", Topic::kPlatform, 0}};
  EXPECT_TRUE(Follows(s, on_event, m));
  // Not in the event's region; not confirmed yet.
  Subscriber na = s;
  na.region = "na";
  EXPECT_FALSE(Follows(na, on_event, m));
  Subscriber pending = s;
  pending.confirmed_at.reset();
  EXPECT_FALSE(Follows(pending, on_event, m));
  // Nor of a notice written before it confirmed.
  Subscriber late = s;
  late.from_notice = 2;
  EXPECT_FALSE(Follows(late, on_event, m));
  // Messages go to who follows messages; the site's own to who follows any platform's.
  const Notice msg{2, NoticeKind::kMessagePublished, FromUnix(3'000), "erp", 0, 0, 5, 0};
  const Notice site{3, NoticeKind::kMessagePublished, FromUnix(3'000), "", 0, 0, 6, 0};
  EXPECT_FALSE(Follows(s, msg, m));
  s.subscriptions = {{"crm", Topic::kMessages, 0}};
  EXPECT_FALSE(Follows(s, msg, m));
  EXPECT_TRUE(Follows(s, site, m));
  s.subscriptions = {{"erp", Topic::kMessages, 0}};
  EXPECT_TRUE(Follows(s, msg, m));
  // The confirmation is for its own subscriber, confirmed or not.
  EXPECT_TRUE(Follows(pending, Notice{4, NoticeKind::kConfirm, {}, "", 0, 0, 0, 7}, m));
  EXPECT_FALSE(Follows(s, Notice{4, NoticeKind::kConfirm, {}, "", 0, 0, 0, 8}, m));
}

TEST(Subscriptions, PlausibleAddresses) {
  EXPECT_TRUE(PlausibleEmail("alice@example.com"));
  EXPECT_TRUE(PlausibleEmail("a.b+tag@sub.example.fr"));
  for (const char* bad : {"", "alice", "alice@", "@example.com", "alice@example", "a b@example.com",
                          "alice@example.com\r\nBcc: x", "a@b@example.com", "alice@example..com",
                          "<alice@example.com>", "alice@example.com."}) {
    EXPECT_FALSE(PlausibleEmail(bad)) << bad;
  }
}

class DeskTest : public ::testing::Test {
 protected:
  DeskTest() : store_(testing::Open(dir_.Db())), clock_(FromUnix(1'000'000)) {
    testing::Seed(*store_);
    model_ = *store_->Load();
    model_.regions = testing::SmallModel().regions;
    model_.Index();
  }
  SubscriptionDesk::Request Ask(const std::string& email) {
    SubscriptionDesk::Request r;
    r.email = email;
    r.region = "fr";
    r.subscriptions = {{"erp", Topic::kPlatform, 0}};
    r.visitor = "192.0.2.1";
    r.form_token = *desk_.FormToken();
    return r;
  }
  std::vector<Notice> Waiting() {
    std::vector<Notice> out;
    EXPECT_TRUE(store_
                    ->Read([&](StoreTx& tx) -> Status {
                      out = *tx.NoticesToFanOut(100);
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_;
  SubscriptionDesk desk_{*store_, clock_, SubscriptionDesk::Options{}};
  Model model_;
};

TEST_F(DeskTest, DoubleOptInAndTheSameAnswerForAKnownAddress) {
  SubscriptionDesk::Request r = Ask(" Alice@Example.com ");
  clock_.Set(clock_.Now() + std::chrono::seconds(3));
  ASSERT_TRUE(desk_.Subscribe(r, model_).ok());
  std::vector<Notice> notices = Waiting();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].kind, NoticeKind::kConfirm);
  Result<std::shared_ptr<const LinkSigner>> signer = desk_.Signer();
  ASSERT_TRUE(signer.ok());
  Subscriber s;
  ASSERT_TRUE(store_
                  ->Read([&](StoreTx& tx) -> Status {
                    s = **tx.FindSubscriber(notices[0].subscriber_id);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(s.email, "Alice@Example.com");
  EXPECT_FALSE(s.confirmed_at);
  // A second request for the same address (any case) is answered alike and mails again.
  r = Ask("alice@example.COM");
  clock_.Set(clock_.Now() + std::chrono::seconds(3));
  ASSERT_TRUE(desk_.Subscribe(r, model_).ok());
  EXPECT_EQ(Waiting().size(), 2u);
  // Confirmed through its link; a manage link opens it afterwards.
  const std::string confirm = (*signer)->Confirm(s, clock_.Now() + std::chrono::hours(48));
  Result<Subscriber> confirmed = desk_.Confirm(confirm);
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  EXPECT_TRUE(confirmed->confirmed_at);
  EXPECT_TRUE(desk_.Open((*signer)->Manage(s)).ok());
  // Past 48 hours the confirmation link is refused.
  clock_.Set(clock_.Now() + std::chrono::hours(49));
  EXPECT_EQ(desk_.Open(confirm).status().code(), Status::Code::kPermissionDenied);
  // Unsubscribed: its links open nothing any more.
  ASSERT_TRUE(desk_.Unsubscribe((*signer)->Manage(s)).ok());
  EXPECT_EQ(desk_.Open((*signer)->Manage(s)).status().code(), Status::Code::kPermissionDenied);
}

TEST_F(DeskTest, BadInputIsRefusedAndBotsAreDroppedQuietly) {
  clock_.Set(clock_.Now() + std::chrono::seconds(3));
  SubscriptionDesk::Request r = Ask("not an address");
  EXPECT_EQ(desk_.Subscribe(r, model_).code(), Status::Code::kInvalid);
  r = Ask("bob@example.com");
  r.subscriptions.clear();
  EXPECT_EQ(desk_.Subscribe(r, model_).code(), Status::Code::kInvalid);
  r = Ask("bob@example.com");
  r.subscriptions = {{"nope", Topic::kPlatform, 0}};
  EXPECT_EQ(desk_.Subscribe(r, model_).code(), Status::Code::kInvalid);
  r = Ask("bob@example.com");
  r.form_token = "f.1.forged";
  EXPECT_EQ(desk_.Subscribe(r, model_).code(), Status::Code::kInvalid);
  // The trap filled, or the form sent back at once: taken, and nothing written.
  r = Ask("bob@example.com");
  r.trap = "http://spam.example";
  clock_.Set(clock_.Now() + std::chrono::seconds(3));
  EXPECT_TRUE(desk_.Subscribe(r, model_).ok());
  r = Ask("bob@example.com");
  EXPECT_TRUE(desk_.Subscribe(r, model_).ok());
  EXPECT_TRUE(Waiting().empty());
}

TEST_F(DeskTest, AnEndpointMustBeAWebAddressOffPrivateNetworks) {
  const auto with = [&](Channel c, const std::string& url) {
    SubscriptionDesk::Request r = Ask("ops@example.com");
    r.channel = c;
    r.endpoint = url;
    clock_.Set(clock_.Now() + std::chrono::seconds(3));  // as long as a person takes
    return desk_.Subscribe(r, model_);
  };
  EXPECT_EQ(with(Channel::kWebhook, "").message(), "subscribe.err_endpoint");
  EXPECT_EQ(with(Channel::kSlack, "ftp://hooks.example.com/x").message(), "subscribe.err_endpoint");
  EXPECT_EQ(with(Channel::kWebhook, "https://user:pw@hooks.example.com/").message(),
            "subscribe.err_endpoint");
  EXPECT_EQ(with(Channel::kTeams, "https://127.0.0.1:8080/hook").message(),
            "subscribe.err_private");
  EXPECT_EQ(with(Channel::kWebhook, "https://[::1]/hook").message(), "subscribe.err_private");
  EXPECT_EQ(with(Channel::kWebhook, "https://169.254.169.254/latest").message(),
            "subscribe.err_private");
  EXPECT_EQ(with(Channel::kWebhook, "https://LocalHost:9/").message(), "subscribe.err_private");
  EXPECT_EQ(with(Channel::kWebhook, "http://hooks.example.com/").message(), "subscribe.err_https");
  ASSERT_TRUE(with(Channel::kWebhook, " https://hooks.example.com/vigie ").ok());
  // The same owner by mail and by webhook: two subscribers, the webhook with its own key.
  ASSERT_TRUE(with(Channel::kEmail, "").ok());
  std::vector<Subscriber> all;
  ASSERT_TRUE(store_
                  ->Read([&](StoreTx& tx) -> Status {
                    all = *tx.ListSubscribers(0, 10, false);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].channel, Channel::kWebhook);
  EXPECT_EQ(all[0].endpoint, "https://hooks.example.com/vigie");
  EXPECT_EQ(all[0].secret.size(), 64u);
  EXPECT_EQ(all[1].channel, Channel::kEmail);
  EXPECT_TRUE(all[1].secret.empty());
}

TEST(Webhook, NonPublicAddressesAreKnown) {
  for (const char* a : {"127.0.0.1",
                        "10.1.2.3",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "100.64.0.1",
                        "0.0.0.0",
                        "224.0.0.1",
                        "255.255.255.255",
                        "::1",
                        "::",
                        "fe80::1",
                        "fc00::1",
                        "fd12:3456::1",
                        "ff02::1",
                        "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1",
                        "64:ff9b::a00:1",
                        "2001:db8::1",
                        "not an address"}) {
    EXPECT_TRUE(NonPublicAddress(a)) << a;
  }
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "193.0.14.129",
                        "2a00:1450:4007::1", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_FALSE(NonPublicAddress(a)) << a;
  }
  EXPECT_TRUE(CheckEndpointUrl("http://127.0.0.1:9/hook", true).ok());
  EXPECT_FALSE(CheckEndpointUrl("http://127.0.0.1:9/hook", false).ok());
  EXPECT_FALSE(CheckEndpointUrl("http://hooks.example.com/", false).ok());  // https only
  EXPECT_TRUE(CheckEndpointUrl("https://hooks.example.com/", false).ok());
  EXPECT_FALSE(CheckEndpointUrl(std::string(2001, 'a'), true).ok());
}

TEST(Webhook, TheSignatureIsAnHmacOfTheTimeAndTheBody) {
  // As Python computes it: hmac.new(b"k3y", b'1700000000.{"a":1}', sha256).hexdigest()
  EXPECT_EQ(WebhookSignature("k3y", FromUnix(1'700'000'000), R"({"a":1})"),
            "t=1700000000,v1=fd5a70e965043f7df6309c2c3b5ff5a8ffa99b1f5175e9a311459e73c4634d4a");
  EXPECT_NE(NewWebhookSecret(), NewWebhookSecret());
}

TEST(Webhook, APrivateAddressIsRefusedWhenItIsReachedNotOnlyWhenItIsGiven) {
  // What curl connects to is checked, whatever spelling led there: 127.0.0.1 written as one
  // decimal number, and the endpoints the form would refuse, in case the stored one predates
  // a stricter rule.
  WebhookClient client(WebhookOptions{.timeout = std::chrono::seconds(2)});
  for (const char* url : {"https://2130706433:9/hook", "https://localhost:9/hook",
                          "https://[::ffff:127.0.0.1]:9/", "http://93.184.216.34/"}) {
    const Status st = client.Post(url, "{}", {});
    EXPECT_EQ(st.code(), Status::Code::kUnavailable) << url;
    EXPECT_TRUE(st.message().find("private network") != std::string::npos ||
                st.message().find("only https") != std::string::npos)
        << url << ": " << st.message();
  }
}

TEST(Chat, SlackAndTeamsMessagesHaveTheirOwnShape) {
  NoticeContent c;
  c.subject = "[ERP] Incident: <Login> & more";
  c.heading = "Login & more";
  c.paragraphs = {"Users cannot log in <today>."};
  c.facts = {{"State", "In progress"}, {"Start", "6 Dec 2026 14:02 (Paris)"}};
  c.action_url = "https://status.example.com/en/events/12";
  c.action_text = "See the event";
  const ChatLinks links{"https://status.example.com/en/subscription?t=abc", "Manage"};
  const nlohmann::json slack = nlohmann::json::parse(SlackMessage(c, links));
  EXPECT_EQ(slack["text"], "[ERP] Incident: &lt;Login&gt; &amp; more");  // mrkdwn too
  EXPECT_EQ(slack["blocks"][0]["type"], "header");
  EXPECT_EQ(slack["blocks"][0]["text"]["text"], "Login & more");  // plain text: as is
  EXPECT_EQ(slack["blocks"][1]["text"]["text"], "Users cannot log in &lt;today&gt;.");
  EXPECT_EQ(slack["blocks"][2]["fields"][0]["text"], "*State*\nIn progress");
  EXPECT_EQ(slack["blocks"][3]["elements"][0]["url"], c.action_url);
  EXPECT_EQ(slack["blocks"][4]["elements"][0]["text"], "<" + links.manage_url + "|Manage>");
  const nlohmann::json teams = nlohmann::json::parse(TeamsMessage(c, links));
  EXPECT_EQ(teams["type"], "message");
  const nlohmann::json& card = teams["attachments"][0];
  EXPECT_EQ(card["contentType"], "application/vnd.microsoft.card.adaptive");
  EXPECT_EQ(card["content"]["type"], "AdaptiveCard");
  EXPECT_EQ(card["content"]["body"][0]["text"], "Login & more");
  EXPECT_EQ(card["content"]["body"][2]["facts"][1]["value"], "6 Dec 2026 14:02 (Paris)");
  EXPECT_EQ(card["content"]["actions"][0]["url"], c.action_url);
  EXPECT_EQ(card["content"]["actions"][1]["url"], links.manage_url);
}

TEST_F(DeskTest, RateLimitsPerAddressAndPerVisitor) {
  SubscriptionDesk::Options o;
  o.per_address_per_hour = 2;
  o.per_visitor_per_hour = 4;
  SubscriptionDesk desk(*store_, clock_, o);
  const auto ask = [&](const std::string& email, const std::string& visitor) {
    SubscriptionDesk::Request r = Ask(email);
    r.form_token = *desk.FormToken();
    r.visitor = visitor;
    clock_.Set(clock_.Now() + std::chrono::seconds(3));
    return desk.Subscribe(r, model_);
  };
  EXPECT_TRUE(ask("a@example.com", "v1").ok());
  EXPECT_TRUE(ask("a@example.com", "v2").ok());
  EXPECT_TRUE(ask("a@example.com", "v3").ok());  // answered alike, but no third mail
  EXPECT_EQ(Waiting().size(), 2u);
  EXPECT_TRUE(ask("b@example.com", "v1").ok());
  EXPECT_TRUE(ask("c@example.com", "v1").ok());
  EXPECT_TRUE(ask("d@example.com", "v1").ok());
  EXPECT_EQ(ask("e@example.com", "v1").code(), Status::Code::kTooManyRequests);
  clock_.Set(clock_.Now() + std::chrono::hours(1));
  EXPECT_TRUE(ask("e@example.com", "v1").ok());
}

}  // namespace
}  // namespace vigie

namespace vigie {
namespace {

TEST_F(DeskTest, TheClockTellsOfAMaintenanceOnceEachReminderStartAndEnd) {
  const Time t0 = clock_.Now();
  Event e = testing::MakeEvent(0, EventKind::kMaintenance, {"fr"},
                               {{model_.FindService("erp", "s1")->id, Level::kMaintenance}}, 0, -1);
  e.starts_at = t0 + std::chrono::hours(48);
  e.ends_at = t0 + std::chrono::hours(50);
  e.created_at = e.updated_at = t0;
  ASSERT_TRUE(store_->Write([&](StoreTx& tx) { return tx.InsertEvent(e).status(); }).ok());
  Model m = *store_->Load();
  m.regions = model_.regions;
  m.Index();
  Publisher publisher(*store_, clock_, m.regions);
  const auto sender = [&] {
    return std::make_unique<Sender>(
        *store_, clock_, publisher, [] { return MailAssets{}; }, [&] { return desk_.Signer(); },
        Sender::Options{});
  };
  auto a = sender();
  const auto kinds = [&] {
    std::vector<NoticeKind> out;
    for (const Notice& n : Waiting()) out.push_back(n.kind);
    return out;
  };
  ASSERT_TRUE(a->ClockNotices(m, t0).ok());
  EXPECT_TRUE(kinds().empty());
  // 24 hours before: the reminder, once, whatever the passes and the senders.
  const Time remind = t0 + std::chrono::hours(24) + std::chrono::seconds(1);
  ASSERT_TRUE(a->ClockNotices(m, remind).ok());
  ASSERT_TRUE(a->ClockNotices(m, remind + std::chrono::minutes(5)).ok());
  ASSERT_TRUE(sender()->ClockNotices(m, remind + std::chrono::minutes(6)).ok());
  EXPECT_EQ(kinds(), std::vector<NoticeKind>{NoticeKind::kMaintenanceReminder});
  // The start and the end, each once.
  ASSERT_TRUE(a->ClockNotices(m, e.starts_at + std::chrono::seconds(2)).ok());
  ASSERT_TRUE(sender()->ClockNotices(m, e.starts_at + std::chrono::seconds(3)).ok());
  ASSERT_TRUE(a->ClockNotices(m, *e.ends_at + std::chrono::seconds(1)).ok());
  ASSERT_TRUE(sender()->ClockNotices(m, *e.ends_at + std::chrono::minutes(2)).ok());
  EXPECT_EQ(kinds(), (std::vector<NoticeKind>{NoticeKind::kMaintenanceReminder,
                                              NoticeKind::kMaintenanceStarted,
                                              NoticeKind::kMaintenanceEnded}));
  // A site that was down for hours does not tell of what is long past.
  Event late = e;
  late.starts_at = t0 + std::chrono::hours(60);
  late.ends_at = t0 + std::chrono::hours(61);
  ASSERT_TRUE(store_->Write([&](StoreTx& tx) { return tx.InsertEvent(late).status(); }).ok());
  m = *store_->Load();
  m.regions = model_.regions;
  m.Index();
  ASSERT_TRUE(sender()->ClockNotices(m, t0 + std::chrono::hours(64)).ok());
  EXPECT_EQ(kinds().size(), 3u);
}

}  // namespace
}  // namespace vigie
