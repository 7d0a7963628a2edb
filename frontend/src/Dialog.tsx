import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testId: string;
  /** Wide dialogs hold forms. */
  wide?: boolean;
}

/** Where focus goes when the opener is gone (a deleted row): the main heading area. */
const FALLBACK_FOCUS = '[data-testid="add-destination"], #main';

/**
 * Moves focus back to the control that opened a dialog. The browser's own return (the dialog's
 * "previously focused element") does not happen here: the dialog leaves the DOM as the component
 * unmounts, and a removed dialog restores nothing. When the opener is gone or disabled, focus
 * goes to the Add button (or the main region), never to <body>.
 */
export function restoreFocus(opener: Element | null, doc: Document = document): void {
  const target =
    opener instanceof HTMLElement && opener.isConnected && !opener.matches(':disabled')
      ? opener
      : doc.querySelector<HTMLElement>(FALLBACK_FOCUS);
  if (target && !target.hasAttribute('tabindex') && target.id === 'main') target.tabIndex = -1;
  target?.focus();
}

/** A modal native <dialog>: focus is trapped by the browser, Escape closes it, focus goes back to its opener. */
export function Dialog({ title, onClose, children, testId, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = `${testId}-title`;

  useEffect(() => {
    const dialog = ref.current;
    // Before showModal moves focus into the dialog.
    const opener = document.activeElement;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      // After the unmount has run (the row of a deleted destination may go with it).
      queueMicrotask(() => restoreFocus(opener));
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
