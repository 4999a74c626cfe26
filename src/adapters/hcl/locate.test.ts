import { describe, expect, it } from 'vitest';
import { lineOfAssignment, lineOfVariableDefault } from './locate.js';

describe('lineOfVariableDefault', () => {
  it.each([
    ['plain', 'variable "v" {\n  default = "1"\n}\n', 2],
    ['one line', 'variable "a" { default = "0" }\nvariable "v" { default = "1" }\n', 2],
    ['unquoted label', 'variable v {\n  default = "1"\n}\n', 2],
    [
      'heredoc and nested block before',
      'variable "v" {\n  description = <<EOT\ndefault = "x"\nEOT\n  validation {\n    default = 2\n  }\n  default = "1"\n}\n',
      8,
    ],
    [
      'commented-out block first',
      '# variable "v" {\n#   default = "0"\n# }\nvariable "v" {\n  default = "1"\n}\n',
      5,
    ],
    ['CRLF', 'variable "v" {\r\n\r\n  default = "1"\r\n}\r\n', 3],
    [
      'similar name first',
      'variable "v_old" {\n  default = "0"\n}\nvariable "v" {\n  default = "1"\n}\n',
      5,
    ],
    ['no default: the block line', '\nvariable "v" {\n  type = string\n}\n', 2],
  ])('%s', (_name, text, line) => {
    expect(lineOfVariableDefault(text, 'v')).toBe(line);
  });

  it('answers null for an absent variable', () => {
    expect(lineOfVariableDefault('variable "w" {}\n', 'v')).toBeNull();
  });
});

describe('lineOfAssignment', () => {
  it('finds tfvars and tfvars.json assignments, not look-alikes or comments', () => {
    expect(lineOfAssignment('# v = "0"\nv_old = "1"\nv = "2"\n', 'v')).toBe(3);
    expect(lineOfAssignment('{\n  "v_old": 1,\n  "v": "2"\n}\n', 'v')).toBe(3);
    expect(lineOfAssignment('x = 1\n', 'v')).toBeNull();
  });
});
