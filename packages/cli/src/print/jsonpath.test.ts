/**
 * kubectl's JSONPath, case by case: every expected output and error below
 * is what kubectl 1.32 printed for the same template over the same object
 * (`kubectl annotate --local -f pod.json -o jsonpath=…`).
 */
import { describe, expect, it } from 'vitest';
import { goQuote, goSyntax } from './go-values.ts';
import { JsonPathError, parseJsonPath, unquoteExtend } from './jsonpath.ts';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'ns', annotations: { a: 'b' }, labels: { app: 'x', tier: 'web' } },
  spec: {
    nodeName: 'worker01',
    containers: [
      { name: 'c1', image: 'i1', ports: [{ containerPort: 80 }, { containerPort: 443 }] },
      { name: 'c2', image: 'i2' },
    ],
    n: 3,
    f: 2.5,
    big: 1234567.5,
    small: 0.00001,
    t: true,
    nul: null,
    html: '<a&b>',
    uni: 'é\u2028',
  },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'False' }] },
};

/** What `kubectl get -o jsonpath=TEMPLATE` prints, or the first line of its error (without `error: `). */
function kubectlOutput(template: string): string | { error: string } {
  let parsed;
  try {
    parsed = parseJsonPath(template);
  } catch (error) {
    if (error instanceof JsonPathError) return { error: `error parsing jsonpath ${template}, ${error.message}` };
    throw error;
  }
  try {
    return parsed.execute(pod);
  } catch (error) {
    if (error instanceof JsonPathError) return { error: `error executing jsonpath ${goQuote(template)}: Error executing template: ${error.message}. ` };
    throw error;
  }
}

describe('JSONPath templates, as kubectl runs them', () => {
  const cases: [string, string | { error: string }][] = [
    ["{.metadata.name}", "p1"],
    ["{.metadata.name} {.spec.f} {.spec.big} {.spec.small} {.spec.nul} {.spec.html} {.spec} {.spec.uni}", "p1 2.5 1.2345675e+06 1e-05 null <a&b> {\"big\":1234567.5,\"containers\":[{\"image\":\"i1\",\"name\":\"c1\",\"ports\":[{\"containerPort\":80},{\"containerPort\":443}]},{\"image\":\"i2\",\"name\":\"c2\"}],\"f\":2.5,\"html\":\"\\u003ca\\u0026b\\u003e\",\"n\":3,\"nodeName\":\"worker01\",\"nul\":null,\"small\":0.00001,\"t\":true,\"uni\":\"é\\u2028\"} é "],
    ["{.spec.containers[*].name}", "c1 c2"],
    ["{range .spec.containers[*]}{.name}{\"\\n\"}{end}", "c1\nc2\n"],
    ["{range .spec.containers[*]}[{.name}:{range .ports[*]}{.containerPort},{end}]{end}", "[c1:80,443,][c2:]"],
    ["{.spec.containers[0].ports[*].containerPort}", "80 443"],
    ["{.spec.containers[-1].name}", "c2"],
    ["{.spec.containers[-1:].name}", "c2"],
    ["{.spec.containers[0:1].name}", "c1"],
    ["{.spec.containers[1:].name}", "c2"],
    ["{.spec.containers[:1].name}", "c1"],
    ["{.spec.containers[::2].name}", "c1"],
    ["{.spec.containers[0:0].name}", ""],
    ["{.spec.containers[5].name}", {"error":"error executing jsonpath \"{.spec.containers[5].name}\": Error executing template: array index out of bounds: index 5, length 2. "}],
    ["{.spec.containers[-5].name}", {"error":"error executing jsonpath \"{.spec.containers[-5].name}\": Error executing template: array index out of bounds: index -3, length 2. "}],
    ["{.spec.containers[1:0].name}", {"error":"error executing jsonpath \"{.spec.containers[1:0].name}\": Error executing template: starting index 1 is greater than ending index 0. "}],
    ["{.spec.containers[0:5].name}", {"error":"error executing jsonpath \"{.spec.containers[0:5].name}\": Error executing template: array index out of bounds: index 4, length 2. "}],
    ["{.spec.containers[0:2:0].name}", {"error":"error executing jsonpath \"{.spec.containers[0:2:0].name}\": Error executing template: step must be > 0. "}],
    ["{.spec.containers[0,1].name}", "c1 c2"],
    ["{.spec.containers[*]['name','image']}", "c1 c2 i1 i2"],
    ["{.metadata['name']}", "p1"],
    ["{.metadata.labels.app}", "x"],
    ["{.metadata.labels}", "{\"app\":\"x\",\"tier\":\"web\"}"],
    ["{.status.conditions[?(@.type==\"Ready\")].status}", "True"],
    ["{.status.conditions[?(@.type!=\"Ready\")].type}", "Initialized"],
    ["{.status.conditions[?(@.status)].type}", "Ready Initialized"],
    ["{.status.conditions[?(@.nope)].type}", ""],
    ["{.spec.containers[?(@.ports)].name}", "c1"],
    ["{.spec.containers[0].ports[?(@.containerPort>100)].containerPort}", "443"],
    ["{.spec.containers[0].ports[?(@.containerPort<100)].containerPort}", "80"],
    ["{.spec.containers[0].ports[?(@.containerPort>=80)].containerPort}", "80 443"],
    ["{.spec.containers[0].ports[?(@.containerPort<=80)].containerPort}", "80"],
    ["{.spec.containers[0].ports[?(@.containerPort==443)].containerPort}", "443"],
    ["{.spec.containers[0].ports[?(@.containerPort>1.5)].containerPort}", {"error":"error executing jsonpath \"{.spec.containers[0].ports[?(@.containerPort>1.5)].containerPort}\": Error executing template: incompatible types for comparison. "}],
    ["{.spec.containers[0].ports[?(@.containerPort>\"a\")].containerPort}", {"error":"error executing jsonpath \"{.spec.containers[0].ports[?(@.containerPort>\\\"a\\\")].containerPort}\": Error executing template: incompatible types for comparison. "}],
    ["{.spec.containers[?(@.name>\"c1\")].name}", "c2"],
    ["{.status.conditions[?(@.type == \"Ready\")].status}", "True"],
    ["{.spec.containers[?(@.name==@.image)].name}", ""],
    ["{..name}", "p1 c1 c2"],
    ["{..containerPort}", "80 443"],
    ["{.metadata.name.*}", "112 49"],
    ["{@.metadata.name}", "p1"],
    ["{$.metadata.name}", "p1"],
    ["{.kind}{\"\\t\"}{.apiVersion}{\"\\n\"}", "Pod\tv1\n"],
    ["{\"a\\\"b\"}{'c\\'d'}{\"\\u00e9\"}{\"\\x41\"}{\"\\101\"}", "a\"bc'déAA"],
    ["{.spec.t}", "true"],
    ["{.spec.n}{.spec.f}", "32.5"],
    ["{true}{false}{1}{2.5}{-3}", "truefalse12.5-3"],
    ["{.metadata.name} tail", "p1 tail"],
    ["plain text only", "plain text only"],
    ["{end}", {"error":"error executing jsonpath \"{end}\": Error executing template: not in range, nothing to end. "}],
    ["{range .spec.containers[*]}{.name}", "c1c2"],
    ["{range .spec.nope[*]}{.name}{end}after", "after"],
    ["{.nope.deeper}", ""],
    ["{.spec.containers[0].name[0]}", {"error":"error executing jsonpath \"{.spec.containers[0].name[0]}\": Error executing template: string is not array or slice. "}],
    ["{.metadata[0]}", {"error":"error executing jsonpath \"{.metadata[0]}\": Error executing template: map[string]interface {} is not array or slice. "}],
    ["{.metadata.labels[?(@.x==\"y\")]}", {"error":"error executing jsonpath \"{.metadata.labels[?(@.x==\\\"y\\\")]}\": Error executing template: map[app:x tier:web] is not array or slice and cannot be filtered. "}],
    ["{.spec.nul[?(@.a)]}", {"error":"error executing jsonpath \"{.spec.nul[?(@.a)]}\": Error executing template: <nil> is not array or slice and cannot be filtered. "}],
    ["{foo}", {"error":"error executing jsonpath \"{foo}\": Error executing template: unrecognized identifier foo. "}],
    ["{.metadata.name", {"error":"error parsing jsonpath {.metadata.name, unclosed action"}],
    ["{.spec.containers[0}", {"error":"error parsing jsonpath {.spec.containers[0}, unterminated array"}],
    ["{.spec.containers[a]}", {"error":"error parsing jsonpath {.spec.containers[a]}, invalid array index a"}],
    ["{.spec.containers[?(@.x==}", {"error":"error parsing jsonpath {.spec.containers[?(@.x==}, unterminated filter"}],
    ["{.spec.containers[?(@.x==\"y\")x}", {"error":"error parsing jsonpath {.spec.containers[?(@.x==\"y\")x}, unclosed array expect ]"}],
    ["{\"abc}", {"error":"error parsing jsonpath {\"abc}, unterminated quoted string"}],
    ["{\"a\\qb\"}", {"error":"error parsing jsonpath {\"a\\qb\"}, unquote string \"a\\qb\" error invalid syntax"}],
    ["{#}", {"error":"error parsing jsonpath {#}, unrecognized character in action: U+0023 '#'"}],
    ["{....name}", {"error":"error parsing jsonpath {....name}, invalid multiple recursive descent"}],
    ["{.spec.containers[*]..name}", "c1 c2"],
    ["{1.2.3}", {"error":"error parsing jsonpath {1.2.3}, cannot parse number 1.2.3"}],
    ["{.spec.containers[1:2:3:4]}", {"error":"error parsing jsonpath {.spec.containers[1:2:3:4]}, invalid array index 1:2:3:4"}],
    ["{.spec.containers[0].ports[?(@.containerPort>80)]}", "{\"containerPort\":443}"],
    ["{.spec.containers[?(@.ports[0].containerPort==80)].name}", "c1"],
    ["{.spec.containers[*].ports[*].containerPort}", "80 443"],
    ["{.spec.containers[0].ports[?(@.containerPort==true)].containerPort}", {"error":"error executing jsonpath \"{.spec.containers[0].ports[?(@.containerPort==true)].containerPort}\": Error executing template: incompatible types for comparison. "}],
    ["{.status.conditions[?(@.type<\"Ready\")].type}", "Initialized"],
    ["{.spec.t.x}", ""],
    ["{.spec.html}", "<a&b>"],
    ["{.spec.uni}", "é "],
    ["{range .status.conditions[*]}{range .status}{.}{end}{end}", ""],
    ["{range .spec.containers[*]}{.name}{end}{range .status.conditions[*]}{.type}{end}", "c1c2ReadyInitialized"],
    ["{.spec.containers[*].ports}", "[{\"containerPort\":80},{\"containerPort\":443}]"],
    ["{.metadata.labels['app']}", "x"],
    ["{.metadata.labels.*}", "x web"],
    ["{.spec.containers[0].ports[0].containerPort}{\"\\n\"}", "80\n"],
    ["{..nope}", ""],
    ["{.metadata.name}{.metadata.name}", "p1p1"],
    ["{.metadata.name,.kind}", {"error":"error parsing jsonpath {.metadata.name,.kind}, unrecognized character in action: U+002C ','"}],
  ];
  it.each(cases)('%s', (template, expected) => {
    expect(kubectlOutput(template)).toEqual(expected);
  });
});

describe('where Go leaves the order open', () => {
  it('visits map members in key order (kubectl: random order)', () => {
    expect(parseJsonPath('{.spec.containers[*].*}').execute(pod)).toBe('i1 c1 [{"containerPort":80},{"containerPort":443}] i2 c2');
    expect(parseJsonPath('{.status.*}').execute(pod)).toBe('[{"status":"True","type":"Ready"},{"status":"False","type":"Initialized"}] Running');
  });
});

describe('results grouped by action', () => {
  it('gives one group per action and per range turn, literals included', () => {
    const template = parseJsonPath('{.metadata.name}{range .spec.containers[*]}[{.name}]{end}');
    expect(template.findResults(pod)).toEqual([['p1'], ['['], ['c1'], [']'], ['['], ['c2'], [']']]);
  });

  it('with missing keys refused, names the missing field', () => {
    expect(() => parseJsonPath('{.spec.nope}', { allowMissingKeys: false }).execute(pod)).toThrow(new JsonPathError('nope is not found'));
    expect(parseJsonPath('{.spec.nope}').execute(pod)).toBe('');
  });

  it('an empty template prints nothing', () => {
    expect(parseJsonPath('').execute(pod)).toBe('');
  });
});

describe('Go formatting of the object in an execution error', () => {
  it('prints %#v of decoded JSON', () => {
    expect(goSyntax(pod.spec)).toBe(
      'map[string]interface {}{"big":1.2345675e+06, "containers":[]interface {}{map[string]interface {}{"image":"i1", "name":"c1", "ports":[]interface {}{map[string]interface {}{"containerPort":80}, map[string]interface {}{"containerPort":443}}}, map[string]interface {}{"image":"i2", "name":"c2"}}, "f":2.5, "html":"<a&b>", "n":3, "nodeName":"worker01", "nul":interface {}(nil), "small":1e-05, "t":true, "uni":"é\\u2028"}',
    );
  });
});

describe('unquoteExtend (strconv.Unquote with single quotes)', () => {
  it.each([
    ['"plain"', 'plain'],
    ["'single'", 'single'],
    ['"tab\\there"', 'tab\there'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', '\x07\b\f\n\r\t\v\\'],
    ['"\\u00e9\\U0001F600"', 'é😀'],
    ['"\\x41\\101"', 'AA'],
    ['"it\'s"', "it's"],
    ["'say \\'hi\\''", "say 'hi'"],
  ])('%s', (quoted, text) => {
    expect(unquoteExtend(quoted)).toBe(text);
  });

  it.each(['"', '"abc', '\'abc"', '"a"b"', '"\\q"', '"\\x4"', '"\\400"', '"\\\'"', "'\\\"'", '"\\uD800"', 'abc'])('refuses %s', (quoted) => {
    expect(unquoteExtend(quoted)).toBeUndefined();
  });
});
