// Declarations-only stand-in for PostgreSQL's libpq client header.
#pragma once

extern "C" {
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef enum { CONNECTION_OK, CONNECTION_BAD } ConnStatusType;
typedef enum {
  PGRES_EMPTY_QUERY,
  PGRES_COMMAND_OK,
  PGRES_TUPLES_OK,
  PGRES_FATAL_ERROR
} ExecStatusType;

PGconn* PQconnectdb(const char* conninfo);
ConnStatusType PQstatus(const PGconn* conn);
char* PQerrorMessage(const PGconn* conn);
PGresult* PQexec(PGconn* conn, const char* query);
PGresult* PQexecParams(PGconn* conn, const char* command, int nParams,
                       const unsigned int* paramTypes, const char* const* paramValues,
                       const int* paramLengths, const int* paramFormats, int resultFormat);
ExecStatusType PQresultStatus(const PGresult* res);
int PQntuples(const PGresult* res);
char* PQgetvalue(const PGresult* res, int row, int col);
void PQclear(PGresult* res);
void PQfinish(PGconn* conn);
}
