// STAND-IN for oat++'s ApiController codegen (see ApiController.hpp): ENDPOINT and PATH.
#define PATH(TYPE, NAME) TYPE NAME
#define ENDPOINT(METHOD, PATH_, NAME, ...) \
  std::shared_ptr<oatpp::web::server::api::ApiController::OutgoingResponse> NAME(__VA_ARGS__)
