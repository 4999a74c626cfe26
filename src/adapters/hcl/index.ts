export { parseHcl } from './parse-hcl.js';
export { lineOfAssignment, lineOfVariableDefault } from './locate.js';
export {
  readTfvars,
  readVariableDeclarations,
  tfvarsLoadOrder,
  type FoundValue,
  type ValueSource,
  type VariableDeclaration,
} from './terraform-variables.js';
