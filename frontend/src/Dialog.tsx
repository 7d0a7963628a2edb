import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testId: string;
  /**
   * The control that opened the dialog, as a selector (`rowControl`, `ADD_DESTINATION`): found
   * again when the dialog closes, because a poll or a filter may have re-created its row while
   * the dialog was open. Without it, the element that had focus when the dialog opened.
   */
  returnFocusTo?: string;
  /** Wide dialogs hold forms. */
  wide?: boolean;
}

/** The Add button (empty list or list head). */
export const ADD_DESTINATION = '[data-testid="add-destination"]';

/** A control of a destination's row by its test id (`edit-button`, `delete-button`, `history-button`). */
export function rowControl(destinationId: string, control: string): string {
  return `[data-testid="destination-row"][data-id="${CSS.escape(destinationId)}"] [data-testid="${CSS.escape(control)}"]`;
}

function focusable(element: Element | null): element is HTMLElement {
  return element instanceof HTMLElement && element.isConnected && element !== element.ownerDocument.body && !element.matches(':disabled');
}

/**
 * Moves focus back to the control that opened a dialog: the control named by `selector` as it is
 * now in the page, else the element that opened it, else (a deleted row, a disabled button) the
 * Add button, else the main region; never <body>.
 */
function restoreFocus(selector: string | undefined, opener: Element | null, doc: Document = document): void {
  const main = doc.getElementById('main');
  const target = [selector === undefined ? null : doc.querySelector(selector), opener, doc.querySelector(ADD_DESTINATION), main].find(
    focusable,
  );
  if (target === main && main && !main.hasAttribute('tabindex')) main.tabIndex = -1;
  target?.focus();
}

/** A modal native <dialog>: focus is trapped by the browser, Escape closes it, focus goes back to its opener. */
export function Dialog({ title, onClose, children, testId, returnFocusTo, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef(returnFocusTo);
  returnTo.current = returnFocusTo;
  const titleId = `${testId}-title`;

  // A layout effect, not useEffect: Preact 11 runs an unmounted component's useEffect cleanup only
  // after the next paint, so focus sat on <body> from the moment the dialog left the DOM until
  // then (long enough, on a busy machine, for a key press or a test to find it there). A layout
  // effect's cleanup runs during the unmount itself, before the dialog is removed.
  useLayoutEffect(() => {
    const dialog = ref.current;
    // Before showModal moves focus into the dialog.
    const opener = document.activeElement;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      restoreFocus(returnTo.current, opener);
    };
  }, []);

  return (
    <dialog
      ref={ref}
      class={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} class="dialog-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
