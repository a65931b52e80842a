// The writes and loads of one transaction, written once for every SQL backend over
// sql::Connection. The backend opens and ends the transaction (sql_store.h); this only runs
// statements in it.
#pragma once

#include <string_view>

#include "store/sql.h"
#include "store/store.h"

namespace vigie {

// The meta key of the store's generation (Model::generation): empty until a restore replaces
// the site, then a new random value at each replace.
inline constexpr std::string_view kGenerationKey = "generation";

class SqlTx : public StoreTx {
 public:
  // `conn` is in a transaction for the whole life of this object. `changes_kept`: how many
  // entries of the changes log are kept. `announce`: a statement run after each changes-log
  // entry with its seq as its one parameter (PostgreSQL's NOTIFY), or "" for none.
  SqlTx(sql::Connection& conn, int64_t changes_kept, std::string_view announce);

  Result<Model> Load() override;
  Result<int64_t> Seq() override;
  Result<Model> LoadAbove(const Model& previous) override;
  Result<int64_t> LogChange(Time at) override;
  int64_t RowsChanged() override { return conn_.TotalChanged() - rows_at_start_; }

  Status UpsertPlatform(const Platform& p) override;
  Result<int64_t> UpsertService(const Service& s) override;
  Status SetManualLevel(const ManualLevel& m) override;
  Status SetOverride(const GlobalOverride& o) override;
  Status ClearOverride(const std::string& region, const std::string& platform) override;
  Result<int64_t> InsertEvent(const Event& e) override;
  Status UpdateEvent(const Event& e) override;
  Result<int64_t> InsertUpdate(int64_t event_id, const EventUpdate& u) override;
  Result<int64_t> InsertMessage(const Message& m) override;
  Status InsertStatusChanges(std::vector<StatusChange>& changes) override;
  Status InsertAudit(Time at, std::string_view actor, std::string_view action,
                     std::string_view detail) override;
  Result<std::string> GetMeta(std::string_view key) override;
  Status SetMeta(std::string_view key, std::string_view value) override;

  Result<int64_t> AddUser(const User& u) override;
  Status UpdateUser(const User& u) override;
  Status CreateSession(const Session& s) override;
  Status TouchSession(std::string_view id_hash, Time at) override;
  Status DeleteSession(std::string_view id_hash) override;
  Status DeleteSessionsOf(int64_t user_id) override;
  Result<int64_t> AddToken(const ApiToken& t) override;
  Status RevokeToken(int64_t id, Time at) override;
  Status TouchToken(int64_t id, Time at) override;
  Status UpdateService(const Service& s) override;
  Status UpdateMessage(const Message& m) override;
  Status DeleteMessage(int64_t id) override;
  Status UpdateEventUpdate(int64_t update_id, const EventUpdate& u) override;

  // sql_notify.cc
  Result<std::optional<Subscriber>> FindSubscriber(int64_t id) override;
  Result<int> CountEndpointAttempt(int64_t id, bool ok) override;
  Status SetQuarantine(int64_t id, std::optional<Time> at) override;
  Result<std::optional<Subscriber>> FindSubscriberByKey(std::string_view key,
                                                        std::string_view region) override;
  Result<int64_t> AddSubscriber(const Subscriber& s) override;
  Status UpdateSubscriber(const Subscriber& s) override;
  Status DeleteSubscriber(int64_t id) override;
  Result<std::vector<Subscriber>> ListSubscribers(int64_t after_id, int limit,
                                                  bool confirmed_only) override;
  Result<int64_t> InsertNotice(const Notice& n) override;
  Result<std::optional<Notice>> FindNotice(int64_t id) override;
  Result<std::vector<Notice>> NoticesToFanOut(int limit) override;
  Status AddDeliveries(int64_t notice_id, const std::vector<int64_t>& subscriber_ids,
                       Time at) override;
  Status MarkFannedOut(int64_t notice_id) override;
  Result<std::vector<Delivery>> DueDeliveries(Time now, int limit) override;
  Status UpdateDelivery(const Delivery& d) override;
  Result<bool> ClaimDelivery(const Delivery& d, Time until) override;
  Result<bool> FinishDelivery(const Delivery& d, std::optional<Time> until) override;
  Result<std::array<int64_t, 3>> CountDeliveries() override;
  Result<SubscriberCounts> CountSubscribers() override;
  Result<std::vector<Subscriber>> SearchSubscribers(std::string_view part, int limit) override;
  Result<std::vector<Subscriber>> ListQuarantined(int limit) override;
  Result<std::vector<NoticeSummary>> ListNotices(int64_t before_id, int limit) override;
  Result<std::vector<Delivery>> ListDeliveries(int64_t notice_id, int limit) override;

 private:
  Status LoadCatalog(Model& m);  // platforms and services
  Status LoadLevels(Model& m);   // manual levels and overrides
  // Every event, or only those the changes log names above `above` and those this
  // transaction touched, when it is given.
  Status LoadEvents(SharedVector<Event>& events, std::optional<int64_t> above,
                    const std::vector<Service>& services);
  Status LoadMessages(Model& m);
  // Status changes with an id above `after_id` (0: all), in (at, id) order.
  // Appends the rows above after_id, in the model's order; returns the highest id read (0: none).
  Result<int64_t> LoadStatusChanges(AppendVector<StatusChange>& out, int64_t after_id);
  Status WriteImpacts(int64_t event_id, const std::vector<Impact>& impacts);
  // NotFound when the last statement changed no row.
  Status Changed(const std::string& what);
  // The subscriptions of the subscribers in `subs` (by id), read into them.
  Status LoadSubscriptions(std::vector<Subscriber>& subs);
  Status WriteSubscriptions(const Subscriber& s);

  sql::Connection& conn_;
  const int64_t rows_at_start_;  // the connection's count when the transaction began
  const int64_t changes_kept_;
  const std::string_view announce_;
};

}  // namespace vigie
