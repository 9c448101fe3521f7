/** Diagnostic codes owned by locate. Stable: scripts and docs match on them. */
export const LOCATE_CODES = {
  notOpenClaw: "OCP_NOT_OPENCLAW",
  noInstall: "OCP_NO_INSTALL",
  buildInfoInvalid: "OCP_BUILD_INFO_INVALID",
  packageJsonInvalid: "OCP_PACKAGE_JSON_INVALID",
  versionMismatch: "OCP_VERSION_MISMATCH",
  shimUnrecognized: "OCP_SHIM_UNRECOGNIZED",
  serviceUnreadable: "OCP_SERVICE_UNREADABLE",
  serviceNoEntry: "OCP_SERVICE_NO_ENTRY",
  serviceTargetMissing: "OCP_SERVICE_TARGET_MISSING",
} as const;
