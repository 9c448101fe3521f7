import path from "node:path";
import { hookLayout } from "../../core/state-layout.js";
import { EXECUTABLE, plannedFile, type HookDriver } from "../driver.js";
import { shQuote } from "../quote.js";
import { repatchDisplay } from "../repatch.js";
import { renderCmdWrapper, renderPosixWrapper, wrapperFileName } from "./wrapper.js";

/** Changes nothing in the service: the operator runs the re-patch, or starts the gateway through the exec wrapper. */
export const noneDriver: HookDriver<"none"> = {
  mechanism: "none",
  option({ service }) {
    return {
      mechanism: "none",
      available: true,
      reason:
        service === null
          ? "no gateway service is installed: run the re-patch command before starting the gateway, or start it through the exec wrapper"
          : "changes nothing in the service: run the re-patch command yourself before the gateway starts",
    };
  },
  async plan(ctx, target) {
    const platform = ctx.host.platform;
    const execPath = path.join(hookLayout(ctx.stateDir).dir, wrapperFileName(platform, "args"));
    const content = platform === "win32" ? renderCmdWrapper(target, "args") : renderPosixWrapper(target, "args");
    const separator = platform === "win32" ? " &" : ";";
    const quotedExec = platform === "win32" ? `"${execPath}"` : shQuote(execPath);
    return {
      files: [await plannedFile(execPath, "exec-wrapper", content, EXECUTABLE, "exec wrapper: re-patches, then runs its arguments as the command")],
      activation: [],
      uninstallCommands: { beforeFiles: [], afterFiles: [] },
      instructions: [
        `put the re-patch in front of the gateway start: ${repatchDisplay(target, platform)}${separator} openclaw gateway …`,
        `or start the gateway through the exec wrapper: ${quotedExec} openclaw gateway …`,
      ],
    };
  },
};
