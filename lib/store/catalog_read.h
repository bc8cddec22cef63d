// Helpers shared by the catalog's row files (catalog_network.cc, catalog_vpc.cc): reading all
// rows of a statement, the first one, a count. Private to lib/store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/macros.h"
#include "store/db.h"

namespace efs::store::internal {

// Reads every row of `s` with `from`, which converts the current row.
template <class Row, class From>
Result<std::vector<Row>> ReadAll(Stmt& s, From from) {
  std::vector<Row> rows;
  while (true) {
    EFS_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    rows.push_back(from(s));
  }
  return rows;
}

template <class Row>
std::optional<Row> First(std::vector<Row>& rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows[0]);
}

inline std::string StringFrom(const Stmt& s) { return s.Text(0); }

// The integer the query `sql` with one argument answers (0 without a row).
inline Result<int64_t> Count(Db& db, std::string_view sql, const std::string& arg) {
  EFS_ASSIGN_OR_RETURN(Stmt s, db.Query(sql, arg));
  EFS_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.Int(0) : int64_t{0};
}

}  // namespace efs::store::internal
