/**
 * @fileoverview Objects keyed by host name (run results, a service's host memories).
 */

/**
 * An empty object keyed by host name, in V8's dictionary mode from the start. A plain
 * `{}` given 100 host names grows a chain of 100 hidden classes (with their descriptor
 * and property arrays) of its own: per run for run results, and kept for good for each
 * service's host memories (20,000 hosts: 20,000 hidden classes, about 5 MB live).
 * Same prototype, keys and order as `{}`.
 */
export function hostRecord<T>(): Record<string, T> {
  const o: Record<string, unknown> = { a: 0, b: 0 };
  delete o.a; // deleting a property other than the last turns the object into a dictionary
  delete o.b;
  return o as Record<string, T>;
}
