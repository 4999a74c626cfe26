import { describe, expect, it } from 'vitest';
import { readTfvars, readVariableDeclarations, tfvarsLoadOrder } from './terraform-variables.js';

describe('terraform variables', () => {
  it('orders tfvars files the way Terraform applies them', () => {
    expect(
      tfvarsLoadOrder([
        'b.auto.tfvars',
        'variables.tf',
        'terraform.tfvars.json',
        'a.auto.tfvars.json',
        'prod.tfvars',
        'terraform.tfvars',
        'A.auto.tfvars',
      ]),
    ).toEqual([
      'terraform.tfvars',
      'terraform.tfvars.json',
      'A.auto.tfvars',
      'a.auto.tfvars.json',
      'b.auto.tfvars',
    ]);
  });

  it('reads defaults with the parser and tells declared-without-default from undeclared', async () => {
    const lookup = await readVariableDeclarations(
      'variables.tf',
      'variable "a" {\n  default = "1.2.3"\n}\nvariable "b" {\n  type = string\n}\n',
    );
    expect(lookup('a')).toEqual({
      declared: true,
      source: { file: 'variables.tf', line: 2 },
      default: { value: '1.2.3', source: { file: 'variables.tf', line: 2 } },
    });
    expect(lookup('b')).toMatchObject({ declared: true, default: null });
    expect(lookup('c')).toEqual({ declared: false });
  });

  it('reads HCL and JSON tfvars, and rejects broken ones', async () => {
    expect((await readTfvars('t.tfvars', 'a = "1"\n'))('a')).toEqual({
      value: '1',
      source: { file: 't.tfvars', line: 1 },
    });
    expect((await readTfvars('t.tfvars.json', '{"a": "2"}'))('a')?.value).toBe('2');
    expect((await readTfvars('t.tfvars', 'a = "1"\n'))('b')).toBeNull();
    await expect(readTfvars('t.tfvars.json', '{')).rejects.toMatchObject({ code: 'TFVARS_SYNTAX' });
    await expect(readTfvars('t.tfvars', 'a = = 1')).rejects.toMatchObject({
      code: 'HCL_SYNTAX',
      category: 'input',
    });
  });
});
