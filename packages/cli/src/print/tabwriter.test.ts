import { describe, expect, it } from 'vitest';
import { TabWriter, tabbed } from './tabwriter.ts';

describe('tabbed (Go text/tabwriter, padding 2)', () => {
  it('pads a column to its widest cell plus the padding, leaving the text after the last tab alone', () => {
    expect(tabbed('Name:\tfluentd\nNode-Selector:\t<none>\n')).toBe('Name:           fluentd\nNode-Selector:  <none>\n');
  });

  it('ends every column block at a line without tabs', () => {
    expect(tabbed('a:\t1\nlonger one:\t2\nno tab here\nb:\t3\n')).toBe('a:           1\nlonger one:  2\nno tab here\nb:  3\n');
  });

  it('aligns inner columns only over the lines that have them', () => {
    expect(tabbed('x\ty\tz\nlong\ty\nq\tyy\tz\n')).toBe('x     y  z\nlong  y\nq     yy  z\n');
  });

  it('pads an empty cell before a final tab, as kubectl prints `HostPathType:  `', () => {
    expect(tabbed('    Path:\t/var/log\n    HostPathType:\t\n')).toBe('    Path:          /var/log\n    HostPathType:  \n');
  });

  it('starts new blocks after a flush', () => {
    const w = new TabWriter(2);
    w.write('a:\t1\n');
    w.flush();
    w.write('longer:\t2\n');
    expect(w.toString()).toBe('a:  1\nlonger:  2\n');
  });

  it('keeps a last line without newline', () => {
    expect(tabbed('a\tb')).toBe('a  b');
  });
});
