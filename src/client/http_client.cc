#include "client/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

namespace coffer::client {
namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t start = line.find_first_not_of(" \t", colon + 1);
    size_t end = line.find_last_not_of(" \t\r\n");
    std::string value =
        start == std::string::npos || end < start ? "" : line.substr(start, end - start + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  } else if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after a 100 Continue, say) starts a new header set.
    static_cast<std::map<std::string, std::string>*>(user)->clear();
  }
  return size * n;
}

// The host part of a base URL, for error messages.
std::string HostOf(const std::string& base_url) {
  size_t sep = base_url.find("://");
  return sep == std::string::npos ? base_url : base_url.substr(sep + 3);
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpClient::HttpClient(Options options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (options_.ca_file.empty()) {
    // libcurl sets its own built-in CA path, which hides OpenSSL's SSL_CERT_FILE; read it
    // here so a private CA can be trusted the usual way.
    const char* env = std::getenv("SSL_CERT_FILE");
    if (env != nullptr) options_.ca_file = env;
  }
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpResponse> HttpClient::Send(std::string_view method, const std::string& target,
                                      std::string_view body,
                                      const std::vector<std::string>& headers) const {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return Status::Internal("cannot initialise libcurl");
  curl_easy_reset(curl);
  HttpResponse res;
  char errbuf[CURL_ERROR_SIZE] = {0};
  std::string url = options_.base_url + target;
  std::string method_str(method);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, options_.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "coffer-cli/0.1");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &res.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &res.headers);

  struct curl_slist* list = nullptr;
  std::string auth = "Authorization: Token " + options_.token;
  list = curl_slist_append(list, auth.c_str());
  list = curl_slist_append(list, "Accept: application/json");
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    list = curl_slist_append(list, "Content-Type: application/json");
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    // Never a null pointer: with one, libcurl would read the body from stdin.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (method != "GET" && method != "POST") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_str.c_str());
  }

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(list);
  // The token sat in `auth`; wipe the copy before it is freed.
  std::fill(auth.begin(), auth.end(), '\0');
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    std::string msg = "cannot reach " + HostOf(options_.base_url) + ": " + why;
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
      msg += " (to trust a private CA, pass --ca FILE or set SSL_CERT_FILE)";
    }
    return Status::Unavailable(msg);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res.status);
  return res;
}

}  // namespace coffer::client
