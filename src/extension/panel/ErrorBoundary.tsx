import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, in the message: "the Session view". */
  what: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** Keeps a rendering error in one view from blanking the whole panel, and offers a retry. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The message only: component props can hold cookie values or secrets.
    console.error(`[session-lens] ${this.props.what} failed: ${error.message}`, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="crash">
        <p>
          <strong>Something went wrong in {this.props.what}.</strong> {this.state.error.message}
        </p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
