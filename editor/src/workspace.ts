/**
 * The part of the page loaded after the list of rule sets is on screen: Monaco with the `regras`
 * language and the workspace of an open rule set (editor, panels, publish, history). Splitting it
 * off keeps the first load of the editor short.
 */
export { monaco } from "./monaco/setup.js";
export { registerRegras } from "./monaco/regras.js";
export { RuleSetView } from "./views/ruleset.js";
