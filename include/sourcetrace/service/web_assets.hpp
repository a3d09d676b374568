// The web view's pages, bundled into the binary at build time.
//
// web/ is built with npm (cytoscape.js and the page's own code, pinned in
// web/package-lock.json, bundled by esbuild) and each output file becomes
// bytes in a generated source file (cmake/embed_web.cmake), so the binary
// serves its pages with nothing fetched at run time and no files to
// install beside it. A build without npm gets no files: the web view then
// says it was built without its pages, and its JSON API still works.
#pragma once

#include <span>
#include <string_view>

namespace sourcetrace::service {

struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/app.js", ...
  std::string_view content_type;
  std::string_view bytes;
};

std::span<const WebAsset> web_assets();

}  // namespace sourcetrace::service
