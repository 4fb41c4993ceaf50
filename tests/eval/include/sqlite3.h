// Declarations-only stand-in for the SQLite C API.
#pragma once

extern "C" {
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
#define SQLITE_OK 0
#define SQLITE_ROW 100
#define SQLITE_DONE 101
#define SQLITE_TRANSIENT ((void (*)(void*)) - 1)

int sqlite3_open(const char* filename, sqlite3** ppDb);
int sqlite3_close(sqlite3* db);
int sqlite3_exec(sqlite3* db, const char* sql, int (*callback)(void*, int, char**, char**),
                 void* arg, char** errmsg);
int sqlite3_prepare_v2(sqlite3* db, const char* sql, int nByte, sqlite3_stmt** ppStmt,
                       const char** pzTail);
int sqlite3_bind_text(sqlite3_stmt* stmt, int idx, const char* text, int n,
                      void (*destructor)(void*));
int sqlite3_bind_int(sqlite3_stmt* stmt, int idx, int value);
int sqlite3_step(sqlite3_stmt* stmt);
const unsigned char* sqlite3_column_text(sqlite3_stmt* stmt, int col);
int sqlite3_column_int(sqlite3_stmt* stmt, int col);
int sqlite3_finalize(sqlite3_stmt* stmt);
const char* sqlite3_errmsg(sqlite3* db);
}
