/** Loads something for a page and says where it stands: loading, failed (with a retry) or
 * loaded. A newer load wins over an older one that answers late. */

import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export type Resource<T> =
  | { status: "loading"; data?: T; error?: undefined; reload: () => void }
  | { status: "error"; data?: T; error: unknown; reload: () => void }
  | { status: "ready"; data: T; error?: undefined; reload: () => void };

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Resource<T> {
  const [state, setState] = useState<{ status: "loading" | "error" | "ready"; data?: T; error?: unknown }>({
    status: "loading",
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const ticket = ++latest.current;
    setState((previous) => ({ status: "loading", data: previous.data }));
    load(controller.signal).then(
      (data) => {
        if (ticket === latest.current) setState({ status: "ready", data });
      },
      (error: unknown) => {
        if (ticket === latest.current && !controller.signal.aborted) {
          setState((previous) => ({ status: "error", error, data: previous.data }));
        }
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload } as Resource<T>;
}
