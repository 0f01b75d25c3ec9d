/**
 * At most `size` holders at once; the others wait their turn in arrival order. enter() resolves
 * with the function that leaves (call it exactly once).
 */
export interface SendGate {
  enter(): Promise<() => void>;
}

export function createSendGate(size: number): SendGate {
  let inside = 0;
  const queue: (() => void)[] = [];
  const leave = () => {
    const next = queue.shift();
    if (next) next(); // the place passes straight to the next in line
    else inside -= 1;
  };
  return {
    enter() {
      if (inside < size) {
        inside += 1;
        return Promise.resolve(once(leave));
      }
      return new Promise((resolve) => queue.push(() => resolve(once(leave))));
    },
  };
}

function once(f: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}
