# Shared helpers for the R reference scripts. Run from tests/reference:
#   Rscript r/km_lung.R
# Each script writes data/<name>.csv (the exact input) and expected/<name>.json (R's answer)
# with a provenance header: R and package versions, the call, the input's sha256, the date.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

sha256_file <- function(path) {
  out <- system2("sha256sum", path, stdout = TRUE)
  strsplit(out, " ")[[1]][1]
}

write_input <- function(df, name) {
  path <- file.path("data", paste0(name, ".csv"))
  write.csv(df, path, row.names = FALSE, na = "")
  path
}

provenance <- function(call, input_path, extra = list()) {
  pkgs <- list(survival = as.character(packageVersion("survival")))
  if (requireNamespace("cmprsk", quietly = TRUE)) pkgs$cmprsk <- as.character(packageVersion("cmprsk"))
  c(list(r = R.version.string, packages = pkgs, call = call,
         input = basename(input_path), input_sha256 = sha256_file(input_path),
         generated = format(Sys.time(), "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")), extra)
}

write_expected <- function(name, prov, results) {
  path <- file.path("expected", paste0(name, ".json"))
  # digits = NA keeps full double precision; NA/NaN/Inf become null/strings.
  txt <- toJSON(list(provenance = prov, results = results), digits = NA, auto_unbox = TRUE,
                null = "null", na = "null", pretty = TRUE)
  writeLines(txt, path)
  invisible(path)
}
