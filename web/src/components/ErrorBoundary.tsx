/** The last line against a blank screen: a page that throws while rendering (or an admin
 * bundle that cannot be loaded after a deploy) shows a message and a way on instead. */

import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  /** Changes on navigation, so the next page gets a fresh start. */
  resetKey: string;
  children: ReactNode;
}

interface State {
  failed: boolean;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("page failed to render", error, info.componentStack);
  }

  override componentDidUpdate(previous: Props): void {
    if (this.state.failed && previous.resetKey !== this.props.resetKey) this.setState({ failed: false });
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="page narrow" role="alert">
        <h1>Something went wrong</h1>
        <p>This page could not be shown. Reloading usually helps; your cart and sign-in are kept.</p>
        <p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload the page
          </button>{" "}
          <a href="/">Go to the home page</a>
        </p>
      </section>
    );
  }
}
