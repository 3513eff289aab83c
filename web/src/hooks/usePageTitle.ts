import { useEffect } from "react";

/** Sets the tab's title: "<title> · Mercato". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Mercato` : "Mercato";
  }, [title]);
}
